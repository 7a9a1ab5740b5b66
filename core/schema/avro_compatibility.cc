// Avro's schema resolution rules (the specification's "Schema Resolution"),
// as a list of problems rather than a yes/no, with the rule names of Avro's
// own SchemaCompatibility checker:
//   TYPE_MISMATCH                       kinds differ and no promotion applies
//                                       (int -> long, float, double; long ->
//                                       float, double; float -> double;
//                                       string <-> bytes)
//   NAME_MISMATCH                       named types whose unqualified names
//                                       differ and no reader alias names the
//                                       writer's full name
//   FIXED_SIZE_MISMATCH                 fixed sizes differ
//   MISSING_ENUM_SYMBOLS                writer symbols the reader lacks, and the
//                                       reader's enum has no default
//   READER_FIELD_MISSING_DEFAULT_VALUE  a reader field not in the writer (by
//                                       name or the field's aliases), no default
//   MISSING_UNION_BRANCH                a writer type (or union branch) no
//                                       reader branch can read
// Writer fields the reader lacks are skipped (allowed). Recursive records are
// assumed compatible while being checked (Avro does the same).
#include <set>

#include <fmt/format.h>

#include "schema/avro_schema.h"
#include "schema/compatibility.h"

namespace kq::schema {
namespace {

using nlohmann::json;

class AvroChecker {
 public:
  AvroChecker(const AvroNames& reader_names, const AvroNames& writer_names,
              std::vector<std::string>* problems)
      : rn_(reader_names), wn_(writer_names), problems_(problems) {}

  void Check(const json& r, const json& w, const std::string& path) {
    const json& rd = ResolveAvroType(r, rn_);
    const json& wd = ResolveAvroType(w, wn_);
    const std::string rk = AvroKind(rd);
    const std::string wk = AvroKind(wd);
    if (wk == "union") {
      for (const json& branch : wd) Check(rd, branch, path);
      return;
    }
    if (rk == "union") {
      for (const json& branch : rd) {
        std::vector<std::string> trial;
        AvroChecker sub(rn_, wn_, &trial);
        sub.visiting_ = visiting_;
        sub.Check(branch, wd, path);
        if (trial.empty()) return;
      }
      Add(path, "MISSING_UNION_BRANCH",
          fmt::format("the reader's union has no branch that reads the writer's {}",
                      AvroBranchName(wd, wn_)));
      return;
    }
    if (rk != wk) {
      if (!Promotes(wk, rk)) {
        Add(path, "TYPE_MISMATCH",
            fmt::format("the reader's {} cannot read the writer's {}", rk, wk));
      }
      return;
    }
    if (rk == "record") return CheckRecord(rd, wd, path);
    if (rk == "enum") return CheckEnum(rd, wd, path);
    if (rk == "fixed") {
      if (!NamesMatch(rd, wd, path)) return;
      if (rd["size"] != wd["size"]) {
        Add(path, "FIXED_SIZE_MISMATCH",
            fmt::format("fixed size {} in the reader, {} in the writer", rd["size"].dump(),
                        wd["size"].dump()));
      }
      return;
    }
    if (rk == "array") return Check(rd["items"], wd["items"], path + "[]");
    if (rk == "map") return Check(rd["values"], wd["values"], path + ".*");
  }

 private:
  static bool Promotes(const std::string& from, const std::string& to) {
    if (from == "int") return to == "long" || to == "float" || to == "double";
    if (from == "long") return to == "float" || to == "double";
    if (from == "float") return to == "double";
    if (from == "string") return to == "bytes";
    if (from == "bytes") return to == "string";
    return false;
  }

  static std::string Unqualified(const std::string& full) {
    const size_t dot = full.rfind('.');
    return dot == std::string::npos ? full : full.substr(dot + 1);
  }

  bool NamesMatch(const json& rd, const json& wd, const std::string& path) {
    const std::string rname = rd["name"];
    const std::string wname = wd["name"];
    if (Unqualified(rname) == Unqualified(wname)) return true;
    for (const json& alias : rd.value("aliases", json::array())) {
      if (alias == wname) return true;
    }
    Add(path, "NAME_MISMATCH",
        fmt::format("the reader's {} is not the writer's {} (and has no alias for it)", rname,
                    wname));
    return false;
  }

  void CheckRecord(const json& rd, const json& wd, const std::string& path) {
    if (!NamesMatch(rd, wd, path)) return;
    const std::string key = rd["name"].get<std::string>() + "\n" + wd["name"].get<std::string>();
    if (!visiting_.insert(key).second) return;  // recursive: assumed compatible
    for (const json& rf : rd["fields"]) {
      const std::string& name = rf["name"].get_ref<const std::string&>();
      const json* wf = FindField(wd, rf);
      const std::string field_path = JoinPath(path, name);
      if (wf != nullptr) {
        Check(rf["type"], (*wf)["type"], field_path);
      } else if (!rf.contains("default")) {
        Add(field_path, "READER_FIELD_MISSING_DEFAULT_VALUE",
            fmt::format("field '{}' is not in the writer's schema and has no default", name));
      }
    }
    visiting_.erase(key);
  }

  static const json* FindField(const json& wd, const json& rf) {
    for (const json& wf : wd["fields"]) {
      if (wf["name"] == rf["name"]) return &wf;
    }
    for (const json& alias : rf.value("aliases", json::array())) {
      for (const json& wf : wd["fields"]) {
        if (wf["name"] == alias) return &wf;
      }
    }
    return nullptr;
  }

  void CheckEnum(const json& rd, const json& wd, const std::string& path) {
    if (!NamesMatch(rd, wd, path)) return;
    if (rd.contains("default")) return;  // unknown symbols read as the default
    std::vector<std::string> missing;
    for (const json& s : wd["symbols"]) {
      bool found = false;
      for (const json& r : rd["symbols"]) found = found || r == s;
      if (!found) missing.push_back(s.get<std::string>());
    }
    if (!missing.empty()) {
      Add(path, "MISSING_ENUM_SYMBOLS",
          fmt::format("the reader's enum {} lacks the writer's symbols [{}] and has no default",
                      rd["name"].get<std::string>(), fmt::join(missing, ", ")));
    }
  }

  void Add(const std::string& path, std::string_view rule, const std::string& detail) {
    problems_->push_back(fmt::format("{}: {}: {}", path, rule, detail));
  }

  const AvroNames& rn_;
  const AvroNames& wn_;
  std::vector<std::string>* problems_;
  std::set<std::string> visiting_;
};

}  // namespace

void AvroReadProblems(const ParsedSchema& reader, const ParsedSchema& writer,
                      std::vector<std::string>* problems) {
  const auto& r = static_cast<const AvroSchema&>(reader);
  const auto& w = static_cast<const AvroSchema&>(writer);
  AvroChecker(r.names(), w.names(), problems).Check(r.document(), w.document(), "$");
}

}  // namespace kq::schema
