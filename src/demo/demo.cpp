#include "demo/demo.hpp"

#include <sodium.h>

#include <chrono>
#include <cmath>

#include "demo/generator.hpp"

namespace haven {
namespace {

Status check_options(const DemoOptions& options) {
  if (options.persons > 100'000'000)
    return invalid(
        "persons must be between 0 and 100000000, got " + std::to_string(options.persons),
        "persons");
  if (!std::isfinite(options.duplicate_rate) || options.duplicate_rate < 0 ||
      options.duplicate_rate > 0.5)
    return invalid("duplicate_rate must be a share between 0 and 0.5", "duplicate_rate");
  if (options.events_per_case > 1000)
    return invalid("events_per_case must be between 0 and 1000", "events_per_case");
  return Status::Ok();
}

Result<std::string> demo_password_hash() {
  if (sodium_init() < 0)
    return Error{ErrorCode::kInternal, "libsodium could not be initialised", ""};
  // One hash per run, shared by every demo user: hashing is slow on purpose.
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, kDemoPassword.data(), kDemoPassword.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Error{ErrorCode::kUnavailable, "not enough memory to hash the demo password", ""};
  return std::string(hash);
}

Result<demo::Specs> find_specs() {
  demo::Specs specs{};
  const std::pair<const EntitySpec**, const char*> wanted[] = {
      {&specs.organisation, "organisation"},
      {&specs.the_case, "case"},
      {&specs.report, "report"},
      {&specs.person, "person"},
      {&specs.case_person, "case_person"},
      {&specs.case_event, "case_event"},
      {&specs.operation, "operation"},
      {&specs.legal_case, "legal_case"},
      {&specs.hearing, "hearing"},
      {&specs.service_plan, "service_plan"},
      {&specs.service, "service"},
      {&specs.assessment, "outcome_assessment"},
      {&specs.training, "training"},
      {&specs.audit, "case_audit"},
      {&specs.evidence, "evidence_item"},
      {&specs.consent, "consent"},
      {&specs.referral, "referral"}};
  for (const auto& [slot, kind] : wanted) {
    *slot = find_entity(kind);
    if (!*slot)
      return Error{ErrorCode::kInternal, std::string("the schema has no entity ") + kind, ""};
  }
  return specs;
}

}  // namespace

Result<DemoSummary> generate_demo(
    Store& store, const DemoOptions& options, const Clock& clock,
    const std::function<void(std::uint64_t done, std::uint64_t total)>& progress) {
  HAVEN_TRY(check_options(options));
  auto password_hash = demo_password_hash();
  HAVEN_TRY(password_hash);
  auto specs = find_specs();
  HAVEN_TRY(specs);
  std::string world_error;
  const demo::World world = demo::build_world(world_error);
  if (!world_error.empty())
    return Error{ErrorCode::kInternal, "demo tables are malformed: " + world_error, ""};

  const auto now = clock.now();
  const auto today = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
  // People born up to ~80 years before the clock and hearings scheduled after it must stay
  // within the dates Haven accepts (1900-2100).
  if (today < demo::days_from_civil(1990, 1, 1) || today >= demo::days_from_civil(2099, 1, 1))
    return invalid("the clock must be between 1990 and 2098 to generate demo data", "clock");

  DemoSummary summary;
  demo::Rng rng(options.seed);
  const demo::Context* watched = nullptr;
  demo::Writer writer(store, clock, summary, [&] {
    if (progress && watched) progress(watched->persons_done, options.persons);
  });
  demo::Context context{
      .world = world, .specs = *specs, .rng = rng, .writer = writer, .summary = summary};
  watched = &context;
  context.today = today;
  context.now = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  context.persons_target = options.persons;
  context.duplicates_target = static_cast<std::uint64_t>(
      std::floor(static_cast<double>(options.persons) * options.duplicate_rate + 0.5));
  context.events_per_case = options.events_per_case;

  HAVEN_TRY(writer.begin());
  const std::size_t organisations =
      std::clamp<std::size_t>(static_cast<std::size_t>(options.persons / 2500), 20, 400);
  HAVEN_TRY(demo::create_organisations(context, organisations, *password_hash));
  while (context.persons_done < context.persons_target) HAVEN_TRY(demo::create_case_group(context));
  const auto counted = summary.counts.find("case");
  const std::uint64_t cases = counted == summary.counts.end() ? 0 : counted->second;
  HAVEN_TRY(demo::create_trainings(context, std::max<std::size_t>(organisations, cases / 40)));
  HAVEN_TRY(writer.finish());
  HAVEN_TRY(demo::create_link_reviews(context, store, clock, *password_hash));
  return summary;
}

Status write_duplicate_truth(const DemoSummary& summary, std::ostream& out) {
  out << "original_id,duplicate_id,corruptions\n";
  for (const DuplicateTruth& truth : summary.duplicates) {
    out << truth.original_id << ',' << truth.duplicate_id << ',';
    for (std::size_t i = 0; i < truth.corruptions.size(); ++i)
      out << (i ? ";" : "") << truth.corruptions[i];
    out << '\n';
  }
  out.flush();
  if (!out) return Error{ErrorCode::kUnavailable, "could not write the duplicate truth", ""};
  return Status::Ok();
}

}  // namespace haven
