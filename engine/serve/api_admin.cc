// Administration of accounts through the API: the account list, adding accounts (a station's token is
// returned this once), changing a role, disabling and enabling. Each handler calls the engine function
// `hashtriage user ...` calls. (The known-image sets: api_index.cc.)
#include "engine/serve/api.h"
#include "engine/time_util.h"

namespace hashtriage::engine::serve {

namespace {

using nlohmann::json;

json UserJson(const UserRecord& u) {
  return json{{"name", u.name},
              {"role", u.role},
              {"disabled", u.disabled},
              {"created", FormatIso8601(u.created)},
              {"created_by", u.created_by},
              {"changed", FormatIso8601(u.changed)},
              {"changed_by", u.changed_by},
              {"locked_until", u.locked_until ? json(FormatIso8601(u.locked_until)) : json(nullptr)}};
}

Result<ApiReply> ListAccounts(const ApiRequest&, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(auto all, users::ListUsers(c));
  json list = json::array();
  for (const auto& u : all) list.push_back(UserJson(u));
  return ApiReply{200, json{{"users", list}}, "", ""};
}

Result<ApiReply> AddAccount(const ApiRequest& r, Case& c, ApiServices&) {
  HT_ASSIGN_OR_RETURN(const std::string name, RequiredField(r.body, "name"));
  HT_ASSIGN_OR_RETURN(const std::string role_name, RequiredField(r.body, "role"));
  HT_ASSIGN_OR_RETURN(const users::Role role, users::ParseRole(role_name));
  const std::string password = OptionalField(r.body, "password");
  HT_ASSIGN_OR_RETURN(auto added, users::AddUser(c, name, role, password, r.user, r.context));
  json out = UserJson(added.record);
  if (!added.token.empty()) out["token"] = added.token;
  return ApiReply{201, out, "", ""};
}

Result<ApiReply> ChangeAccount(const ApiRequest& r, Case& c, ApiServices&) {
  const std::string& name = r.path_params.at(0);
  if (!r.body.is_object() || r.body.empty()) return Status::InvalidArgument("give role, disabled or password");
  for (const auto& [key, value] : r.body.items()) {
    if (key == "role") {
      if (!value.is_string()) return Status::InvalidArgument("role must be a string");
      HT_ASSIGN_OR_RETURN(const users::Role role, users::ParseRole(value.get<std::string>()));
      HT_RETURN_IF_ERROR(users::SetRole(c, name, role, r.user, r.context));
    } else if (key == "disabled") {
      if (!value.is_boolean()) return Status::InvalidArgument("disabled must be true or false");
      HT_RETURN_IF_ERROR(users::SetDisabled(c, name, value.get<bool>(), r.user, r.context));
    } else if (key == "password") {
      if (!value.is_string()) return Status::InvalidArgument("password must be a string");
      HT_RETURN_IF_ERROR(users::SetPassword(c, name, value.get<std::string>(), r.user, r.context));
    } else {
      return Status::InvalidArgument("unknown field '" + key + "': role, disabled or password");
    }
  }
  HT_ASSIGN_OR_RETURN(auto stored, c.users().Get(name));
  if (!stored) return Status::NotFound("no user '" + name + "'");
  return ApiReply{200, UserJson(*stored), "", ""};
}

}  // namespace

std::vector<Route> AdminRoutes() {
  return {
      {"GET", "/api/v1/users", Action::kReadUsers, ListAccounts},
      {"POST", "/api/v1/users", Action::kManageUsers, AddAccount},
      {"POST", "/api/v1/users/([^/]+)", Action::kManageUsers, ChangeAccount},
  };
}

}  // namespace hashtriage::engine::serve
