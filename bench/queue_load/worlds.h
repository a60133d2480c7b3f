// Worlds of the queue-under-load simulation: populations whose hidden truth is drawn from models that
// differ from the product's own weights, so the simulation cannot flatter the model. Each world has
// its own prevalences and its own way of turning the true attributes into contact risk (other weights,
// interactions, an attribute the product never sees); a subject is truly high-risk when a true urgency
// fact holds or its true risk is in the world's top `high_share`. What the product sees is the
// referral (hits, sharing, flags), the police-record facts at intake, and research results that arrive
// 1-10 days after intake or never. Deterministic for a seed.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/subject_profile.h"

namespace hashtriage::bench::queue_load {

// The attributes of the simulation, in this order (the product's names).
inline constexpr const char* kAttributeNames[] = {
    "prior_contact_offence", "registered_sex_offender", "lives_with_children", "works_with_children",
    "other_access_to_children", "grooming", "producing_images", "prior_criminal_history", "bail_breach",
    "domestic_abuse_or_substance_misuse", "sexual_interest_indicators", "contact_with_child"};
inline constexpr std::size_t kAttributeCount = std::size(kAttributeNames);

struct WorldOptions {
  std::uint64_t seed = 20261206;
  int days = 180;
  double per_day = 13.4;          // mean new subjects a day (Poisson)
  double high_share = 0.20;       // truly high-risk share of the population
  int research_min_days = 1;      // a researched attribute's result arrives this many days after
  int research_max_days = 10;     // intake at the earliest / latest (uniform)
  double research_never = 0.25;   // share of research that never returns a result
};

struct Reveal {
  int day = 0;
  std::size_t attribute = 0;
};

// An attribute not known at intake: researched, its result arriving `turnaround` days after a
// researcher takes the task, or never.
struct ResearchTask {
  std::size_t attribute = 0;
  int turnaround = 0;
  bool never = false;
};

struct Subject {
  std::string id;
  int arrival = 0;
  std::array<bool, kAttributeCount> truth{};
  bool hidden = false;                  // the attribute only the "hidden" world scores
  engine::SubjectProfile referral;      // what the referral shows (hits, sharing, flags; no attributes)
  std::vector<Reveal> reveals;          // when each attribute becomes known (sorted by day), research
                                        // taken on the day of intake
  std::vector<ResearchTask> research;   // the attributes researched (their reveals are in `reveals`)
  double true_risk = 0;
  bool urgent = false;                  // a true urgency fact
  bool truly_high = false;
};

struct World {
  std::string name;
  std::string description;
};

// The worlds, in report order: "model weights", "access-led", "interactions", "hidden attribute".
std::vector<World> Worlds();

// The population of world `w` (index into Worlds()).
std::vector<Subject> GeneratePopulation(std::size_t w, const WorldOptions& options);

}  // namespace hashtriage::bench::queue_load
