// hashtriage team UI: one page, served by `hashtriage serve` itself, that talks only to this server's
// JSON API (/api/v1). Every text from the case (names, sources, reasons) is set as text, never as HTML.
// It never shows a picture: the API has no route that serves one, and the page's policy forbids images.
'use strict';
(() => {
  const S = { user: null, role: null, csrf: null };
  const PAGES = [
    ['queue', 'Queue', ['investigator', 'supervisor']],
    ['research', 'Research', ['researcher', 'supervisor']],
    ['dip-sample', 'Dip-sample', ['supervisor']],
    ['forecast', 'Forecast', ['supervisor']],
    ['stations', 'Stations', ['supervisor']],
    ['admin', 'Admin', ['admin']],
  ];
  const BANDS = ['very-high', 'high', 'medium', 'low'];
  const BAND_NAMES = { 'very-high': 'Very High', high: 'High', medium: 'Medium', low: 'Low' };
  const DAY = 86400000;

  // ---- small helpers -------------------------------------------------------------------------------
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === undefined || kid === null || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }
  function svg(tag, attrs, ...kids) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined) el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    return el;
  }
  const $ = (sel) => document.querySelector(sel);
  function show(...nodes) {
    const m = $('#main');
    m.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
  }
  function errorBox(text) { return h('div', { class: 'error', role: 'alert' }, text); }
  function noticeBox(text) { return h('div', { class: 'notice', role: 'status' }, text); }
  function band(key) { return h('span', { class: 'band band-' + key }, BAND_NAMES[key] || key); }
  function params() {
    const q = location.hash.split('?')[1] || '';
    return new URLSearchParams(q);
  }
  function go(hash) {
    if (location.hash === hash) render(); else location.hash = hash;
  }
  // A deadline given as ISO text (queue rows) or Unix seconds (a stored queue entry).
  function deadlineCell(when, overdue) {
    const t = typeof when === 'number' ? when * 1000 : Date.parse(when);
    const day = new Date(t).toISOString().slice(0, 10);
    const days = Math.ceil((t - Date.now()) / DAY);
    if (overdue) return h('span', { class: 'overdue' }, day + ' (overdue ' + Math.max(0, -days) + ' d)');
    return h('span', {}, day + ' (' + days + ' d left)');
  }
  function hitCounts(byCategory) {
    const parts = Object.entries(byCategory || {}).filter(([, n]) => n > 0).map(([c, n]) => c + ' ' + n);
    return parts.length ? parts.join(', ') : 'none';
  }

  // Each render is one generation. A page's read that answers after the person has moved on is dropped
  // (its promise never settles), so a slow page never paints over the one they went to.
  let generation = 0;

  async function api(method, path, body) {
    const mine = generation;
    const options = { method, credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    if (method !== 'GET' && S.csrf) options.headers['X-CSRF-Token'] = S.csrf;
    let res;
    try {
      res = await fetch('/api/v1' + path, options);
    } catch (e) {
      return { status: 0, data: { error: 'the server did not answer: check the connection and try again' } };
    }
    const type = res.headers.get('Content-Type') || '';
    const data = type.startsWith('application/json') ? await res.json() : await res.text();
    if (res.status === 401 && path !== '/session') {
      S.user = S.role = S.csrf = null;
      renderWho();
      loginPage('Your session has ended: sign in again.');
    }
    if (method === 'GET' && mine !== generation) return new Promise(() => {});
    return { status: res.status, data };
  }

  // ---- frame: who is signed in, the pages their role may open ----------------------------------------
  function home() {
    const page = PAGES.find(([, , roles]) => roles.includes(S.role));
    return page ? page[0] : 'none';
  }
  function renderWho() {
    const who = $('#who');
    const nav = $('#nav');
    nav.replaceChildren();
    who.replaceChildren();
    if (!S.user) return;
    const current = location.hash.slice(2).split(/[/?]/)[0];
    for (const [id, label, roles] of PAGES) {
      if (!roles.includes(S.role)) continue;
      nav.append(h('a', { href: '#/' + id, 'aria-current': current === id ? 'page' : null }, label));
    }
    who.append('Signed in: ', h('strong', { id: 'signed-in-user' }, S.user), ' (', h('span', { id: 'signed-in-role' }, S.role), ')',
      h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: signOut }, 'Sign out'));
  }
  async function signOut() {
    await api('DELETE', '/session');
    S.user = S.role = S.csrf = null;
    renderWho();
    go('#/login');
  }

  function loginPage(message) {
    document.title = 'Sign in - hashtriage';
    const name = h('input', { id: 'login-name', name: 'name', autocomplete: 'username', required: true });
    const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const out = h('div', { 'aria-live': 'assertive' }, message ? noticeBox(message) : null);
    const form = h('form', {
      id: 'login-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const r = await api('POST', '/session', { name: name.value, password: password.value });
        if (r.status === 200) {
          Object.assign(S, { user: r.data.user, role: r.data.role, csrf: r.data.csrf_token });
          renderWho();
          go('#/' + home());
        } else {
          out.replaceChildren(errorBox(r.data.error || 'sign-in refused (' + r.status + ')'));
          password.value = '';
          password.focus();
        }
      },
    }, h('p', {}, h('label', { for: 'login-name' }, 'Name'), name), h('p', {}, h('label', { for: 'login-password' }, 'Password'), password),
      h('button', { type: 'submit', id: 'login-submit' }, 'Sign in'), out);
    show(h('h1', {}, 'Sign in'), form);
    name.focus();
  }

  // ---- queue ---------------------------------------------------------------------------------------
  async function queuePage() {
    document.title = 'Queue - hashtriage';
    const p = params();
    const query = new URLSearchParams();
    for (const k of ['band', 'status', 'area', 'sort', 'offset']) if (p.get(k)) query.set(k, p.get(k));
    if (p.get('overdue') === '1') query.set('overdue', '1');
    if (p.get('mine') === '1') query.set('owner', S.user);
    if (p.get('unheld') === '1') query.set('unowned', '1');
    query.set('limit', p.get('limit') || '50');
    const r = await api('GET', '/queue?' + query.toString());
    if (r.status !== 200) return show(h('h1', {}, 'Queue'), errorBox(r.data.error || 'the queue could not be read'));
    const q = r.data;
    const set = (changes) => {
      const next = new URLSearchParams(p);
      for (const [k, v] of Object.entries(changes)) { if (v) next.set(k, v); else next.delete(k); }
      if (!('offset' in changes)) next.delete('offset');
      go('#/queue?' + next.toString());
    };
    const bandSelect = h('select', { id: 'filter-band', onchange: (e) => set({ band: e.target.value }) },
      h('option', { value: '' }, 'all bands'), BANDS.map((b) => h('option', { value: b, selected: p.get('band') === b }, BAND_NAMES[b])));
    const sortSelect = h('select', { id: 'filter-sort', onchange: (e) => set({ sort: e.target.value }) },
      [['queue', 'queue order'], ['deadline', 'deadline'], ['score', 'score'], ['age', 'time in queue']].map(([v, t]) =>
        h('option', { value: v, selected: (p.get('sort') || 'queue') === v }, t)));
    const statusSelect = h('select', { id: 'filter-status', onchange: (e) => set({ status: e.target.value }) },
      [['', 'all open'], ['flagged', 'flagged for review'], ['escalated', 'escalated (long overdue)'], ['reopened', 're-opened']].map(([v, t]) =>
        h('option', { value: v, selected: (p.get('status') || '') === v }, t)));
    const area = h('input', { id: 'filter-area', size: 8, value: p.get('area') || '', onchange: (e) => set({ area: e.target.value.trim() }) });
    const filters = h('form', { class: 'filters inline', onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'filter-band' }, 'Band '), bandSelect,
      h('label', { for: 'filter-status' }, ' Status '), statusSelect,
      h('label', { for: 'filter-sort' }, ' Sort by '), sortSelect,
      h('label', { for: 'filter-area' }, ' Area '), area,
      h('label', {}, h('input', { type: 'checkbox', id: 'filter-overdue', checked: p.get('overdue') === '1', onchange: (e) => set({ overdue: e.target.checked ? '1' : '' }) }), ' overdue only'),
      S.role === 'investigator' || S.role === 'supervisor'
        ? h('label', {}, h('input', { type: 'checkbox', id: 'filter-mine', checked: p.get('mine') === '1', onchange: (e) => set({ mine: e.target.checked ? '1' : '' }) }), ' assigned to me')
        : null,
      h('label', {}, h('input', { type: 'checkbox', id: 'filter-unheld', checked: p.get('unheld') === '1', onchange: (e) => set({ unheld: e.target.checked ? '1' : '' }) }), ' held by no one'));
    const counts = h('p', { class: 'counts', id: 'band-counts' },
      BANDS.map((b) => h('span', {}, band(b), ' ', h('a', { href: '#', onclick: (e) => { e.preventDefault(); set({ band: b }); } }, String(q.per_band[b]) + ' subjects'))),
      h('span', {}, 'overdue: ', String(q.overdue)));
    const rows = q.subjects.map((s) => {
      const factors = (s.factors || []).slice().sort((a, b) => b.points - a.points).slice(0, 3)
        .map((f) => f.label + ' +' + f.points).join('; ');
      // What is not yet known, worded by the server as the command line's queue words it.
      const outlook = s.outlook_text ? h('div', { class: 'muted outlook' }, s.outlook_text) : null;
      const take = S.role === 'investigator' && s.owner !== S.user
        ? h('button', { type: 'button', class: 'take', 'data-subject': s.subject, onclick: async (e) => {
            e.target.disabled = true;
            const t = await api('POST', '/subjects/' + encodeURIComponent(s.subject) + '/take', {});
            if (t.status !== 200) { e.target.disabled = false; return alertArea.replaceChildren(errorBox(t.data.error)); }
            // The queue view is rebuilt every few seconds; the row shows the take at once.
            const row = e.target.closest('tr');
            row.cells[8].textContent = S.user;
            e.target.replaceWith(h('span', {}, 'taken'));
            alertArea.replaceChildren(noticeBox('You now hold ' + s.subject + '.'));
          } }, 'Take')
        : null;
      return h('tr', { 'data-subject': s.subject },
        h('td', {}, String(s.rank)),
        h('td', {}, h('a', { href: '#/subject/' + encodeURIComponent(s.subject) }, s.subject), s.display_name ? h('div', { class: 'muted' }, s.display_name) : null),
        h('td', {}, band(s.band), s.override ? h('div', { class: 'muted' }, 'override; model ' + BAND_NAMES[s.model_band]) : null),
        h('td', {}, deadlineCell(s.deadline, s.overdue)),
        h('td', {}, String(s.score)),
        h('td', {}, factors || 'none', outlook),
        h('td', {}, hitCounts(s.hits_by_category)),
        h('td', {}, s.status),
        h('td', {}, s.owner || ''),
        h('td', { class: 'actions' }, take));
    });
    const offset = Number(p.get('offset') || 0);
    const limit = Number(query.get('limit'));
    const pager = h('p', { class: 'pager' },
      h('button', { type: 'button', class: 'secondary', id: 'page-prev', disabled: offset === 0, onclick: () => set({ offset: String(Math.max(0, offset - limit)) }) }, 'Previous'),
      h('button', { type: 'button', class: 'secondary', id: 'page-next', disabled: offset + limit >= q.total, onclick: () => set({ offset: String(offset + limit) }) }, 'Next'),
      h('span', {}, q.total ? `${offset + 1}–${Math.min(offset + limit, q.total)} of ${q.total}` : 'no subjects'));
    const exports = S.role === 'supervisor'
      ? h('p', { class: 'actions' }, 'Export: ', ['csv', 'json', 'html'].map((f) => [h('a', { href: '/api/v1/exports/queue.' + f, download: 'queue.' + f }, f.toUpperCase()), ' ']),
        h('a', { href: '/api/v1/exports/vics.json', download: 'matched-media.vics.json' }, 'VICS'))
      : null;
    const alertArea = h('div', { 'aria-live': 'assertive' });
    show(h('h1', {}, 'Queue'), h('p', { class: 'muted' }, 'as of ' + q.generated_at), filters, counts, alertArea, exports,
      h('table', { id: 'queue' }, h('caption', {}, 'Subjects, highest priority first'),
        h('thead', {}, h('tr', {}, ['Rank', 'Subject', 'Band', 'Deadline', 'Score', 'Top factors', 'Hits by category', 'Status', 'Held by', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)), pager);
  }

  // ---- subject -------------------------------------------------------------------------------------
  async function subjectPage(id, message) {
    document.title = id + ' - hashtriage';
    const r = await api('GET', '/subjects/' + encodeURIComponent(id));
    if (r.status !== 200) return show(h('h1', {}, 'Subject ' + id), errorBox(r.data.error || 'the subject could not be read'));
    const v = r.data;
    const entry = v.queue_entry;
    const a = v.assessment || { factors: [], research: [] };
    const parts = [h('h1', {}, 'Subject ' + v.id, v.name ? ' — ' + v.name : '')];
    if (message) parts.push(message);
    if (entry) {
      parts.push(h('p', { id: 'subject-band' }, 'Band ', band(entry.band), ' · score ', h('strong', { id: 'subject-score' }, String(entry.score)),
        ' · deadline ', deadlineCell(entry.deadline, entry.status === 'open' && entry.deadline * 1000 < Date.now()),
        ' · held by ', entry.owner || 'no one', entry.override ? ' · band set by ' + entry.override.by + ': ' + entry.override.reason : '',
        entry.status === 'closed' ? ' · closed: ' + entry.closed_outcome : ''));
    }
    parts.push(h('h2', {}, 'Score and its factors'),
      h('table', { id: 'factors' }, h('thead', {}, h('tr', {}, ['Factor', 'Basis', 'Points'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, (a.factors || []).map((f) => h('tr', {}, h('td', {}, f.label), h('td', {}, f.basis), h('td', {}, '+' + f.points))),
          h('tr', {}, h('th', { scope: 'row' }, 'Total'), h('td', {}, a.floor_reason || ''), h('td', {}, String(a.score ?? (entry ? entry.score : '')))))));
    // Research: open tasks first, access to children first; one step to record what was found.
    const tasks = (a.research || []).slice().sort((x, y) => (y.access_to_children ? 1 : 0) - (x.access_to_children ? 1 : 0));
    if (S.role === 'researcher' || tasks.length) {
      parts.push(h('h2', {}, 'Research tasks'));
      if (!tasks.length) parts.push(h('p', {}, 'No open research task.'));
      tasks.forEach((t, i) => parts.push(researchForm(v.id, t, i, entry)));
    }
    parts.push(h('h2', {}, 'Attributes'),
      table(['Attribute', 'Value', 'Source', 'Recorded'], (v.attributes || []).map((x) => [x.name, x.value, x.source || x.note || '', (x.recorded_at || '') + (x.recorded_by ? ' by ' + x.recorded_by : '')])));
    parts.push(h('h2', {}, 'Accounts'),
      table(['Account', 'Service', 'How linked', 'Identifiers'], (v.accounts || []).map((x) => [x.id, x.service, x.joined || x.origin,
        (x.identifiers || []).map((i) => i.kind + ' ' + i.value).join(', ')])));
    parts.push(h('h2', {}, 'Referrals'),
      table(['Referral', 'Service', 'Received', 'Files', 'Hits'], (v.referrals || []).map((x) => [x.id, x.service, x.received, String(x.files ?? ''), String(x.hits ?? '')])));
    parts.push(h('h2', {}, 'Known-image hits'), h('p', {}, 'By category: ' + hitCounts(v.hits_by_category)),
      table(['Category', 'Set', 'Match', 'Distance', 'Found in'], (v.hits || []).map((x) => [x.category, x.set, x.kind, String(x.distance), x.source])));
    if (entry && (S.role === 'investigator' || S.role === 'supervisor')) parts.push(reviewForm(v.id, v.version, entry));
    parts.push(h('h2', {}, 'History'), table(['When', 'What'], (v.timeline || []).map((x) => [x.time, x.event])));
    show(...parts);
  }
  function table(headers, rows) {
    if (!rows.length) return h('p', { class: 'muted' }, 'None.');
    return h('table', {}, h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))));
  }
  function researchForm(subject, task, i, entry) {
    const value = h('select', { id: 'finding-value-' + i, name: 'value' }, h('option', { value: '' }, 'choose…'),
      ['yes', 'no', 'unknown'].map((x) => h('option', { value: x }, x)));
    const source = h('input', { id: 'finding-source-' + i, name: 'source', size: 40, required: true });
    const out = h('div', { 'aria-live': 'assertive' });
    if (S.role !== 'researcher') return h('p', {}, task.label + (task.access_to_children ? ' (access to children)' : ''));
    return h('form', {
      class: 'research-task', 'data-attribute': task.attribute, novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        if (!value.value) return out.replaceChildren(errorBox('Choose the finding: yes, no or unknown.'));
        if (!source.value.trim()) return out.replaceChildren(errorBox('Say where the finding comes from (the source).'));
        const before = entry ? entry.band : null;
        const r = await api('POST', '/subjects/' + encodeURIComponent(subject) + '/attributes', { name: task.attribute, value: value.value, source: source.value.trim() });
        if (r.status !== 200) return out.replaceChildren(errorBox(r.data.error || 'not recorded'));
        const after = await api('GET', '/subjects/' + encodeURIComponent(subject));
        const now = after.status === 200 && after.data.queue_entry ? after.data.queue_entry.band : null;
        const text = now && before && now !== before
          ? `Recorded ${task.attribute} = ${value.value}: band ${BAND_NAMES[before]} → ${BAND_NAMES[now]}.`
          : `Recorded ${task.attribute} = ${value.value}` + (now ? `: band stays ${BAND_NAMES[now]}.` : '.');
        subjectPage(subject, noticeBox(text));
      },
    }, h('fieldset', {}, h('legend', {}, task.label + (task.access_to_children ? ' — access to children' : '') + (task.conflict ? ' (conflicting records)' : '')),
      h('label', { for: 'finding-value-' + i }, 'Finding '), value,
      h('label', { for: 'finding-source-' + i }, ' Source '), source, ' ',
      h('button', { type: 'submit' }, 'Record finding'), out));
  }
  function reviewForm(subject, version, entry) {
    const outcome = h('select', { id: 'review-outcome', name: 'outcome' },
      [['keep', 'keep open'], ['investigate', 'investigate'], ['no-further-action', 'no further action']].map(([v, t]) => h('option', { value: v }, t)));
    const bandSel = h('select', { id: 'review-band', name: 'band' }, h('option', { value: '' }, 'as the model says'),
      BANDS.map((b) => h('option', { value: b }, BAND_NAMES[b])));
    const reason = h('textarea', { id: 'review-reason', name: 'reason', rows: 2, cols: 60, required: true });
    const assign = S.role === 'supervisor' ? h('input', { id: 'review-assign', name: 'assign', size: 16 }) : null;
    const out = h('div', { 'aria-live': 'assertive', id: 'review-result' });
    return h('form', {
      id: 'review-form', novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        if (!reason.value.trim()) return out.replaceChildren(errorBox('Give the reason for the decision.'));
        const body = { outcome: outcome.value, reason: reason.value.trim(), version };
        if (bandSel.value) body.band = bandSel.value;
        if (assign && assign.value.trim()) body.assign = assign.value.trim();
        const r = await api('POST', '/subjects/' + encodeURIComponent(subject) + '/review', body);
        if (r.status === 409) {
          return out.replaceChildren(errorBox(r.data.error), h('button', { type: 'button', id: 'review-reload', onclick: () => subjectPage(subject) }, 'Show the subject as it is now'));
        }
        if (r.status !== 200) return out.replaceChildren(errorBox(r.data.error || 'not recorded'));
        subjectPage(subject, noticeBox('Decision ' + r.data.decision.id + ' recorded: ' + r.data.decision.outcome + '.'));
      },
    }, h('h2', {}, 'Review'), h('p', { class: 'muted' }, 'Current band ', band(entry.band), '; decisions are made on what this page shows (version ' + version + ').'),
      h('label', { for: 'review-outcome' }, 'Outcome '), outcome, h('label', { for: 'review-band' }, ' Band '), bandSel,
      assign ? [h('label', { for: 'review-assign' }, ' Assign to '), assign] : null,
      h('p', {}, h('label', { for: 'review-reason' }, 'Reason (required)'), h('br'), reason), h('button', { type: 'submit' }, 'Record decision'), out);
  }

  // ---- research, dip-sample, forecast, stations, admin ----------------------------------------------
  async function researchPage() {
    document.title = 'Research - hashtriage';
    const r = await api('GET', '/research/ranked?limit=200');
    if (r.status !== 200) return show(h('h1', {}, 'Research'), errorBox(r.data.error || 'could not be read'));
    const pct = (x) => Math.round(100 * x) + '%';
    show(h('h1', {}, 'Research queue'),
      h('p', { class: 'muted' }, `${r.data.total} open task(s): access to children first, then by how much the answer could change who is seen first.`),
      table(['Rank', 'Subject', 'Band', 'Deadline', 'Task', 'P(High) now → if yes / if no'], r.data.tasks.map((t) => [
        String(t.rank), h('a', { href: '#/subject/' + encodeURIComponent(t.subject) }, t.subject), band(t.band), t.deadline.slice(0, 10),
        t.label + (t.access_to_children ? ' (access to children)' : '') + (t.conflict ? ' (conflict: ' + t.conflict + ')' : ''),
        `${pct(t.p_high)} → ${pct(t.p_high_if_yes)} / ${pct(t.p_high_if_no)}`])));
  }

  async function dipSamplePage() {
    document.title = 'Dip-sample - hashtriage';
    const p = params();
    const date = p.get('date') || new Date().toISOString().slice(0, 10);
    const r = await api('GET', '/dip-sample?date=' + date);
    const out = h('div', { 'aria-live': 'assertive' });
    const dateInput = h('input', { type: 'date', id: 'dip-date', value: date, onchange: (e) => go('#/dip-sample?date=' + e.target.value) });
    const size = h('input', { type: 'number', id: 'dip-size', min: 1, max: 1000, value: 10 });
    const draw = h('form', { class: 'inline', id: 'dip-draw', onsubmit: async (e) => {
      e.preventDefault();
      const d = await api('POST', '/dip-sample', { date, size: Number(size.value) });
      if (d.status !== 200) return out.replaceChildren(errorBox(d.data.error));
      render();
    } }, h('label', { for: 'dip-date' }, 'Date '), dateInput, h('label', { for: 'dip-size' }, ' Size '), size, ' ', h('button', { type: 'submit' }, 'Draw the sample'));
    const from = h('input', { type: 'date', id: 'report-from', value: p.get('from') || date });
    const to = h('input', { type: 'date', id: 'report-to', value: p.get('to') || date });
    const period = h('form', { class: 'inline', id: 'dip-report', onsubmit: (e) => {
      e.preventDefault();
      if (from.value > to.value) return out.replaceChildren(errorBox('The period must start before it ends.'));
      go(`#/dip-sample?date=${date}&from=${from.value}&to=${to.value}`);
    } }, h('label', { for: 'report-from' }, 'Report from '), from, h('label', { for: 'report-to' }, ' to '), to, ' ', h('button', { type: 'submit' }, 'Show the report'));
    const parts = [h('h1', {}, 'Dip-sample'), draw, period, out];
    if (p.get('from') && p.get('to')) {
      const rep = await api('GET', `/dip-sample?from=${encodeURIComponent(p.get('from'))}&to=${encodeURIComponent(p.get('to'))}`);
      if (rep.status !== 200) parts.push(errorBox(rep.data.error || 'the report could not be read'));
      else {
        const t = rep.data.total;
        parts.push(h('h2', {}, `Report ${p.get('from')} to ${p.get('to')}`),
          h('p', { id: 'dip-report-total' }, `${rep.data.draws.length} draw(s): ${t.sampled} sampled, ${t.reviewed} reviewed, re-graded up ${t.regraded_up}, down ${t.regraded_down}, unchanged ${t.unchanged}, investigated ${t.investigated}, closed ${t.closed_nfa}; ${t.sampled - t.reviewed} not yet reviewed.`),
          table(['Draw', 'Sampled', 'Reviewed', 'Up', 'Down', 'Unchanged', 'Investigated', 'Closed'], rep.data.draws.map((d) => [d.key,
            String(d.summary.sampled), String(d.summary.reviewed), String(d.summary.regraded_up), String(d.summary.regraded_down),
            String(d.summary.unchanged), String(d.summary.investigated), String(d.summary.closed_nfa)])));
      }
    }
    if (r.status !== 200) parts.push(errorBox(r.data.error || 'could not be read'));
    else if (!r.data.draws.length) parts.push(h('p', {}, 'No sample drawn for ' + date + '.'));
    for (const d of r.data.draws || []) {
      parts.push(h('h2', {}, 'Sample ' + d.key),
        h('p', {}, `Reviewed ${d.summary.reviewed} of ${d.summary.sampled}: re-graded up ${d.summary.regraded_up}, down ${d.summary.regraded_down}, unchanged ${d.summary.unchanged}, investigated ${d.summary.investigated}, closed ${d.summary.closed_nfa}.`),
        table(['Subject', 'Band when drawn', 'Days in queue', 'Outcome'], d.items.map((i) => [
          h('a', { href: '#/subject/' + encodeURIComponent(i.subject) }, i.subject), band(i.band), String(i.days_in_queue),
          (d.summary.outcomes || {})[i.subject] || 'not reviewed yet: open the subject to record the outcome'])));
    }
    show(...parts);
  }

  async function forecastPage() {
    document.title = 'Forecast - hashtriage';
    const p = params();
    const capacity = p.get('capacity') || '10';
    const days = p.get('days') || '90';
    const r = await api('GET', `/forecast?capacity=${encodeURIComponent(capacity)}&days=${encodeURIComponent(days)}`);
    const cap = h('input', { type: 'number', id: 'forecast-capacity', min: 1, value: capacity });
    const dd = h('input', { type: 'number', id: 'forecast-days', min: 1, max: 3650, value: days });
    const form = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); go(`#/forecast?capacity=${cap.value}&days=${dd.value}`); } },
      h('label', { for: 'forecast-capacity' }, 'Capacity (cases a day) '), cap, h('label', { for: 'forecast-days' }, ' Days '), dd, ' ', h('button', { type: 'submit' }, 'Forecast'));
    if (r.status !== 200) return show(h('h1', {}, 'Forecast'), form, errorBox(r.data.error || 'could not be read'));
    const f = r.data;
    const summary = h('p', { id: 'forecast-summary' }, `Intake ${f.intake_capacity_per_day.toFixed(1)} cases a day against capacity ${f.capacity_per_day}: `,
      h('strong', {}, `${f.breaches} deadline breaches`), ` projected in ${f.days} days; `,
      f.required_capacity_found ? `${f.required_capacity_per_day} a day would meet every deadline.` : 'no capacity tried meets every deadline.');
    show(h('h1', {}, 'Forecast'), form, summary, forecastChart(f),
      table(['Band', 'Open now', 'Overdue now', 'Arriving', 'Worked', 'Breaches', 'Waiting at end', 'Median wait (days)', 'Max wait (days)'],
        f.bands.map((b) => [band(b.band), String(b.open), String(b.overdue_now), String(b.arriving), String(b.worked), String(b.breaches),
          String(b.waiting_at_end), String(b.median_wait_days), String(b.max_wait_days)])));
  }
  // Bars per band: arriving, worked and breaches over the forecast period, each labelled with its number.
  function forecastChart(f) {
    const series = [['arriving', '#4a6fa5'], ['worked', '#2e7d32'], ['breaches', '#b00020']];
    const max = Math.max(1, ...f.bands.flatMap((b) => series.map(([k]) => b[k])));
    const W = 760, H = 280, left = 60, bottom = 40, groupW = (W - left) / f.bands.length, barW = groupW / 4;
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-labelledby': 'chart-title', id: 'forecast-chart', style: 'max-width:900px' },
      svg('title', { id: 'chart-title' }, `Arriving, worked and breaches per band over ${f.days} days`));
    f.bands.forEach((b, gi) => {
      series.forEach(([k, colour], si) => {
        const hgt = ((H - bottom - 20) * b[k]) / max;
        const x = left + gi * groupW + si * barW + barW / 2;
        chart.append(svg('rect', { x, y: H - bottom - hgt, width: barW - 4, height: hgt, fill: colour }),
          svg('text', { x: x + (barW - 4) / 2, y: H - bottom - hgt - 4, 'text-anchor': 'middle', 'data-band': b.band, 'data-series': k }, String(b[k])));
      });
      chart.append(svg('text', { x: left + gi * groupW + groupW / 2, y: H - bottom + 18, 'text-anchor': 'middle' }, BAND_NAMES[b.band]));
    });
    series.forEach(([k, colour], si) => chart.append(svg('rect', { x: 4, y: 8 + si * 18, width: 12, height: 12, fill: colour }),
      svg('text', { x: 20, y: 18 + si * 18 }, k)));
    return chart;
  }

  async function stationsPage() {
    document.title = 'Stations - hashtriage';
    const r = await api('GET', '/stations');
    if (r.status !== 200) return show(h('h1', {}, 'Stations'), errorBox(r.data.error || 'could not be read'));
    show(h('h1', {}, 'Kiosk stations'),
      table(['Station', 'Evidence', 'Verdict', 'Hits by category', 'Files', 'Scanned', 'Index version'], r.data.submissions.map((s) => [
        s.station, s.id, s.known_material ? h('strong', { class: 'overdue' }, 'known material: refer') : 'no known material found',
        hitCounts(s.hits_by_category), String(s.files), s.started, (s.index || '').slice(0, 16)])));
  }

  async function adminPage(message) {
    document.title = 'Admin - hashtriage';
    const [users, index] = await Promise.all([api('GET', '/users'), api('GET', '/index')]);
    const parts = [h('h1', {}, 'Administration')];
    if (message) parts.push(message);
    const out = h('div', { 'aria-live': 'assertive' });
    if (users.status === 200) {
      const ROLES = ['researcher', 'investigator', 'supervisor', 'station', 'admin'];
      const roleSelect = (u) => h('select', { 'aria-label': 'Role of ' + u.name, 'data-user': u.name, class: 'user-role', onchange: async (e) => {
        const c = await api('POST', '/users/' + encodeURIComponent(u.name), { role: e.target.value });
        if (c.status === 200) adminPage(noticeBox(u.name + ' is now ' + c.data.role + ' (their sessions have ended).'));
        else { e.target.value = u.role; out.replaceChildren(errorBox(c.data.error)); }
      } }, ROLES.map((x) => h('option', { value: x, selected: x === u.role }, x)));
      parts.push(h('h2', {}, 'Users'), table(['Name', 'Role', 'State', 'Changed', ''], users.data.users.map((u) => [u.name, roleSelect(u),
        u.disabled ? 'disabled' : (u.locked_until ? 'locked until ' + u.locked_until : 'active'), u.changed + ' by ' + u.changed_by,
        h('button', { type: 'button', class: 'secondary', onclick: async () => {
          const c = await api('POST', '/users/' + encodeURIComponent(u.name), { disabled: !u.disabled });
          if (c.status === 200) adminPage(noticeBox(u.name + (u.disabled ? ' enabled.' : ' disabled.'))); else out.replaceChildren(errorBox(c.data.error));
        } }, u.disabled ? 'Enable' : 'Disable')])));
      const name = h('input', { id: 'user-name', required: true });
      const role = h('select', { id: 'user-role' }, ROLES.map((x) => h('option', { value: x }, x)));
      const password = h('input', { id: 'user-password', type: 'password', autocomplete: 'new-password' });
      parts.push(h('form', { class: 'inline', id: 'user-add', onsubmit: async (e) => {
        e.preventDefault();
        const body = { name: name.value.trim(), role: role.value };
        if (password.value) body.password = password.value;
        const c = await api('POST', '/users', body);
        if (c.status !== 201) return out.replaceChildren(errorBox(c.data.error));
        adminPage(noticeBox('Added ' + c.data.name + ' (' + c.data.role + ')' + (c.data.token ? '. Station token (shown once): ' + c.data.token : '.')));
      } }, h('label', { for: 'user-name' }, 'Name '), name, h('label', { for: 'user-role' }, ' Role '), role,
      h('label', { for: 'user-password' }, ' Password (people) '), password, ' ', h('button', { type: 'submit' }, 'Add user')), out);
    } else parts.push(errorBox(users.data.error));
    if (index.status === 200) {
      parts.push(h('h2', {}, 'Known-image sets'), h('p', {}, 'Index version ' + index.data.sha256.slice(0, 16)),
        table(['Set', 'Format', 'Version (generation)', 'Entries', 'Imported', 'Category not recorded'], index.data.set_details.map((s) => [s.name, s.format,
          String(s.generation), Object.entries(s.entries).map(([k, n]) => k + ' ' + n).join(', '), s.imported, String(s.category_not_recorded)])));
    } else parts.push(errorBox(index.data.error));
    show(...parts);
  }

  // ---- routing -------------------------------------------------------------------------------------
  async function render() {
    generation += 1;
    if (!S.user) {
      const r = await api('GET', '/session');
      if (r.status === 200 && r.data.csrf_token) Object.assign(S, { user: r.data.user, role: r.data.role, csrf: r.data.csrf_token });
    }
    renderWho();
    const path = location.hash.slice(2).split('?')[0];
    if (!S.user || path === 'login') return S.user ? go('#/' + home()) : loginPage();
    const [page, arg] = path.split('/');
    const allowed = (id) => PAGES.some(([p, , roles]) => p === id && roles.includes(S.role));
    if (page === 'subject' && arg && S.role !== 'station' && S.role !== 'admin') return subjectPage(decodeURIComponent(arg));
    if (!allowed(page)) {
      if (page && page !== 'none' && page !== home()) return show(h('h1', {}, 'Not available'), errorBox(`The ${S.role} role may not open this page.`));
      if (home() === 'none') return show(h('h1', {}, 'Nothing to show'), h('p', {}, `The ${S.role} role has no pages here.`));
      return go('#/' + home());
    }
    const pages = { queue: queuePage, research: researchPage, 'dip-sample': dipSamplePage, forecast: forecastPage, stations: stationsPage, admin: adminPage };
    return pages[page]();
  }
  // A script error is shown on the page (and kept for the tests), never silently swallowed.
  window.__errors = [];
  window.addEventListener('error', (e) => { window.__errors.push(String(e.message)); });
  window.addEventListener('unhandledrejection', (e) => {
    window.__errors.push(String(e.reason && e.reason.stack ? e.reason.stack : e.reason));
    show(h('h1', {}, 'Something went wrong'), errorBox('The page failed: ' + String(e.reason) + '. Reload it; if it happens again, tell the administrator.'));
  });
  window.addEventListener('hashchange', render);
  window.addEventListener('DOMContentLoaded', render);
})();
