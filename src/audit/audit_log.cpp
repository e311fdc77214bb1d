#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/audit.hpp"
#include "audit/chain.hpp"
#include "audit/read_queue.hpp"

namespace haven {
namespace {

constexpr const char* kAnchorFormat = "haven-audit-anchor/1";
constexpr std::size_t kMaxShowLimit = 1000;

bool is_hex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A date-time bound of a query: RFC 3339, or a bare date meaning the start (or end) of that day.
Result<std::string> query_bound(const std::string& text, bool end_of_day, const char* field) {
  if (text.empty()) return std::string();
  if (parse_date(text)) return text + (end_of_day ? "T23:59:59Z" : "T00:00:00Z");
  if (auto normal = normalise_datetime(text)) return *normal;
  return invalid(std::string(field) +
                     " must be a date (2026-03-31) or an RFC 3339 date-time "
                     "(2026-03-31T14:00:00Z)",
                 field);
}

Status io_error(const std::string& what, const std::filesystem::path& file) {
  return Error{ErrorCode::kUnavailable, what + " " + file.string() + ": " + std::strerror(errno),
               ""};
}

}  // namespace

AuditLog::AuditLog(Store& store, const Clock& clock, std::array<unsigned char, 32> chain_key,
                   AuditLogOptions options)
    : store_(store), clock_(clock), chain_key_(chain_key) {
  // Safe to call repeatedly and from several threads; crypto_generichash works without it, but it
  // picks the fastest implementation for this CPU.
  if (sodium_init() < 0)
    std::fprintf(stderr, "level=warn component=audit event=sodium_init_failed\n");
  reads_ = std::make_unique<ReadQueue>(store_, chain_key_, options);
}

AuditLog::~AuditLog() {
  reads_.reset();  // the writer uses the key: stop it before wiping the key
  sodium_memzero(chain_key_.data(), chain_key_.size());
}

Status AuditLog::append(Transaction& tx, const AuditEvent& event) {
  Result<AuditRecord> entry = audit::prepare_entry(event, format_datetime(clock_.now()));
  HAVEN_TRY(entry);
  return audit::append_entries(tx, chain_key_, std::span<const AuditRecord>(&*entry, 1));
}

void AuditLog::append_read(AuditEvent event) {
  // Stamped now, when the read happened, not when the batch is written.
  Result<AuditRecord> entry = audit::prepare_entry(event, format_datetime(clock_.now()));
  if (!entry.ok()) {
    reads_->reject(entry.error());
    return;
  }
  reads_->push(std::move(entry).value());
}

Status AuditLog::flush() { return reads_->flush(); }

std::size_t AuditLog::queued_reads() const { return reads_->length(); }

Result<std::vector<AuditRecord>> AuditLog::show(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > kMaxShowLimit)
    return invalid("limit must be between 1 and 1000", "limit");
  if (query.org_id < 0)
    return invalid("org_id must be 0 (every organisation) or a positive id", "org_id");
  if (query.user_id < 0)
    return invalid("user_id must be 0 (every user) or a positive id", "user_id");
  if (query.record_id < 0)
    return invalid("record_id must be 0 (every record) or a positive id", "record_id");
  if (query.after_seq < 0) return invalid("after_seq must be 0 or a positive seq", "after_seq");
  for (char c : query.kind) {
    if (!((c >= 'a' && c <= 'z') || c == '_'))
      return invalid("kind must be an entity kind in lower case, e.g. person or legal_case",
                     "kind");
  }
  AuditQuery checked = query;
  Result<std::string> from = query_bound(query.from, false, "from");
  HAVEN_TRY(from);
  Result<std::string> to = query_bound(query.to, true, "to");
  HAVEN_TRY(to);
  checked.from = *from;
  checked.to = *to;
  if (!checked.from.empty() && !checked.to.empty() && checked.from > checked.to)
    return invalid("from must not be after to", "from");

  auto tx = store_.begin(false);
  HAVEN_TRY(tx);
  return (*tx)->list_audit(checked);
}

Result<AuditLog::Anchor> AuditLog::current_anchor() {
  auto tx = store_.begin(false);
  HAVEN_TRY(tx);
  Result<AuditRecord> last = (*tx)->last_audit();
  HAVEN_TRY(last);
  Anchor anchor;
  anchor.last_seq = last->seq;
  anchor.last_hash = last->seq == 0 ? audit::kGenesisHash : last->hash;
  anchor.written_at = format_datetime(clock_.now());
  anchor.seal = audit::anchor_seal(chain_key_, anchor);
  return anchor;
}

Status AuditLog::write_anchor(const std::filesystem::path& file) {
  Result<Anchor> anchor = current_anchor();
  HAVEN_TRY(anchor);
  const std::string text = Json{{"format", kAnchorFormat},
                                {"last_seq", anchor->last_seq},
                                {"last_hash", anchor->last_hash},
                                {"written_at", anchor->written_at},
                                {"seal", anchor->seal}}
                               .dump() +
                           "\n";
  // Write beside the target, make it durable, then rename over the old anchor: a crash leaves
  // either the old anchor or the new one, never half of one.
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", temporary);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status status = io_error("cannot write", temporary);
      ::close(fd);
      return status;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status status = io_error("cannot sync", temporary);
    ::close(fd);
    return status;
  }
  if (::close(fd) != 0) return io_error("cannot close", temporary);
  if (::rename(temporary.c_str(), file.c_str()) != 0) return io_error("cannot rename to", file);
  const std::filesystem::path directory = file.has_parent_path() ? file.parent_path() : ".";
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {  // best effort: makes the rename itself durable
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

Result<AuditLog::Anchor> AuditLog::read_anchor(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    if (!std::filesystem::exists(file))
      return Error{ErrorCode::kNotFound, "no audit anchor at " + file.string(), ""};
    return Error{ErrorCode::kUnavailable, "cannot read the audit anchor " + file.string(), ""};
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string not_anchor = file.string() + " is not a Haven audit anchor: ";
  const Json json = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("format") || json["format"] != kAnchorFormat)
    return invalid(not_anchor + "expected a JSON object with \"format\": \"" + kAnchorFormat +
                   "\"");
  Anchor anchor;
  const auto seq = json.find("last_seq");
  if (seq == json.end() || !seq->is_number_integer() || seq->get<std::int64_t>() < 0)
    return invalid(not_anchor + "last_seq must be an integer of 0 or more", "last_seq");
  anchor.last_seq = seq->get<std::int64_t>();
  for (auto [name, target] :
       {std::pair{"last_hash", &anchor.last_hash}, std::pair{"written_at", &anchor.written_at},
        std::pair{"seal", &anchor.seal}}) {
    const auto value = json.find(name);
    if (value == json.end() || !value->is_string())
      return invalid(not_anchor + name + " must be a string", name);
    *target = value->get<std::string>();
  }
  if (!is_hex64(anchor.last_hash) || !is_hex64(anchor.seal))
    return invalid(not_anchor + "last_hash and seal must be 64 lower-case hex digits", "last_hash");
  return anchor;
}

}  // namespace haven
