// Private to haven_demo: the places, peoples and institutions the demo data is drawn from.
// The tables are compact text (names_*.cpp, countries.cpp) parsed once per run into World.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace haven::demo {

inline constexpr std::size_t kForms = 11;  // choices::kExploitationForms, in that order

// ---- Tables as written in the sources ----

// Name lists: entries separated by ',', spelling variants of an entry by '/', the canonical
// Latin spelling first; the name in its own script, if it has one, after '='.
// Example: "Sunita/Suneeta=सुनीता, Pooja/Puja=पूजा".
struct CultureData {
  std::string_view id{};
  std::string_view nationality{};  // ISO 3166-1 alpha-2
  std::string_view names_of{};     // borrow the name lists of this culture (empty: own lists)
  std::string_view female{}, male{}, family{};
  std::string_view female_family{};  // surnames only women take (Devi, Akter), half the time
  std::string_view nicknames{};      // ',' separated; "f:" or "m:" marks a gendered one
  std::string_view patronymic_male{},
      patronymic_female{};          // "bin"/"binti": family = prefix + father
  bool patronymic = false;          // family name is the father's given name (from `male`)
  bool family_first = false;        // the full name is written family name first
  bool native_joined = false;       // no space between names in the native script (Chinese)
  double native_share = 0;          // records that keep the native script in the name fields
  double single_name_share = 0;     // people known by one name only
  double double_surname_share = 0;  // two surnames (Latin America)
};
std::span<const CultureData> asian_cultures();
std::span<const CultureData> other_cultures();

// Lists separated by ';' with items "key: a/b/c" or "key=value" as documented per field.
struct CountryData {
  std::string_view code{}, name{};
  double case_share{};
  std::string_view regions{};          // "Volta: Ho/Keta/Kpando; Oti: Dambai/..."
  std::string_view cultures{};         // "akan:60, ewe:30, dagomba:10"
  std::string_view region_cultures{};  // "Volta=ewe; Tamil Nadu=tamil"
  std::string_view form_cultures{};    // "labour_agriculture=haitian:80,dominican:20; ..."
  std::string_view hotspots{};         // "labour_fishing=Volta|Oti; ..."
  std::array<double, kForms> form_weights{};
  double birth_date_known{};   // share of people whose birth date is on record
  double prosecution_share{};  // share of cases with suspects that reach the courts
  std::string_view phone{};    // '#' is a random digit: "+233 24 ### ####"
  std::string_view police{}, prosecutor{}, court{}, shelter{}, labour{},
      welfare{};              // {region} {town}
  std::string_view ngos{};    // ';' separated NGO name patterns
  std::string_view docket{};  // {n3} {n4} {n5} {yyyy} {yy} {mm}
  std::string_view trafficking_law{}, labour_law{}, sexual_law{}, child_law{};  // ';' separated
  std::string_view partners{};  // ';' separated partner agencies for operations
};
std::span<const CountryData> country_data();

// ---- Parsed ----

struct NameEntry {
  std::vector<std::string_view> latin;  // canonical first
  std::string_view native;              // empty if none
  std::size_t forms() const { return latin.size() + (native.empty() ? 0 : 1); }
  // Form i < latin.size() is a Latin spelling, the last one the native script.
  std::string_view form(std::size_t i) const { return i < latin.size() ? latin[i] : native; }
};

struct Culture {
  const CultureData* data = nullptr;
  std::vector<NameEntry> female, male, family, female_family;
  std::vector<std::string_view> female_nicknames, male_nicknames;
};

struct Weighted {
  std::vector<std::size_t> items;
  std::vector<double> weights;
  bool empty() const { return items.empty(); }
};

struct Region {
  std::string_view name;
  std::vector<std::string_view> towns;
  std::size_t culture = SIZE_MAX;  // index into World::cultures forced here, or SIZE_MAX
};

struct Country {
  const CountryData* data = nullptr;
  std::vector<Region> regions;
  Weighted cultures;
  std::array<Weighted, kForms> form_cultures;             // empty: use `cultures`
  std::array<std::vector<std::size_t>, kForms> hotspots;  // region indices
  std::vector<std::string_view> ngos, trafficking_law, labour_law, sexual_law, child_law, partners;
};

struct World {
  std::vector<Culture> cultures;
  std::vector<Country> countries;
  std::vector<double> country_weights;

  std::size_t culture_index(std::string_view id) const;  // SIZE_MAX if unknown
};

// Parses the tables. Fails (empty error text otherwise) on a malformed table: a bug in the tables.
World build_world(std::string& error);

std::vector<std::string_view> split(std::string_view text, char separator);
std::string_view trim_view(std::string_view text);

}  // namespace haven::demo
