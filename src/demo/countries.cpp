// Ten countries where anti-trafficking casework happens, with real regions and towns, the forms
// of exploitation met there (weights in the order of choices::kExploitationForms: brick kiln,
// rice mill, garment, fishing, domestic work, agriculture, other labour, sex trafficking, OSEC,
// forced criminality, other), the institutions and the laws. Organisation names of NGOs are
// invented; public institutions are named as they are.
#include "demo/world.hpp"

namespace haven::demo {
namespace {

constexpr std::string_view kEnglishNgos =
    "{region} Freedom Network; {town} Anti-Trafficking Alliance; Safe Harbour {town}; "
    "{region} Survivors' Collective; Justice Bridge {region}; Open Doors {town}; "
    "New Dawn {region}; {region} Child Protection Partners; Restore {town}";
constexpr std::string_view kSpanishNgos =
    "Fundación Nuevo Amanecer {town}; Red contra la Trata {region}; "
    "Asociación Puentes de Justicia {region}; Casa Libertad {town}; "
    "Colectivo Sobrevivientes de {region}";

constexpr CountryData kCountries[] = {
    {.code = "IN",
     .name = "India",
     .case_share = 20,
     .regions = "Uttar Pradesh: Lucknow/Varanasi/Bhadohi/Prayagraj/Ghaziabad; "
                "Bihar: Patna/Gaya/Muzaffarpur/Purnia/Katihar; Jharkhand: Ranchi/Gumla/Dumka; "
                "Tamil Nadu: Chennai/Tiruvallur/Kanchipuram/Tiruppur/Chengalpattu; "
                "Maharashtra: Mumbai/Pune/Thane/Nagpur; Delhi: New Delhi/Shahdara/Dwarka; "
                "Haryana: Gurugram/Faridabad/Jhajjar; Madhya Pradesh: Bhopal/Indore/Jabalpur; "
                "Rajasthan: Jaipur/Alwar/Bhilwara; Chhattisgarh: Raipur/Bilaspur/Janjgir",
     .cultures = "hindi",
     .region_cultures = "Tamil Nadu=tamil",
     .hotspots = "labour_brick_kiln=Uttar Pradesh|Haryana|Tamil Nadu|Bihar|Chhattisgarh; "
                 "labour_rice_mill=Tamil Nadu; labour_garment=Tamil Nadu|Delhi; "
                 "sex_trafficking=Maharashtra|Delhi|Uttar Pradesh|Bihar; "
                 "labour_domestic_work=Delhi|Jharkhand; osec=Maharashtra|Delhi|Tamil Nadu",
     .form_weights = {30, 10, 8, 1, 8, 10, 6, 20, 3, 1, 3},
     .birth_date_known = 0.5,
     .prosecution_share = 0.45,
     .phone = "+91 9#### #####",
     .police = "Anti-Human Trafficking Unit, {town}",
     .prosecutor = "Office of the Public Prosecutor, {town}",
     .court = "Sessions Court, {town}",
     .shelter = "{town} Shelter Home for Women and Children",
     .labour = "Labour Department, {town} District",
     .welfare = "District Child Protection Unit, {town}",
     .ngos = kEnglishNgos,
     .docket = "S.C. No. {n3}/{yyyy}",
     .trafficking_law = "IPC s. 370 (trafficking of persons); IPC s. 370A",
     .labour_law = "IPC s. 374 (unlawful compulsory labour); "
                   "Bonded Labour System (Abolition) Act 1976, s. 16",
     .sexual_law = "Immoral Traffic (Prevention) Act 1956, s. 5; POCSO Act 2012, s. 6",
     .child_law = "Juvenile Justice Act 2015, s. 79",
     .partners = "District Magistrate; Revenue Department; IJM; Childline 1098; "
                 "Railway Protection Force"},
    {.code = "PH",
     .name = "Philippines",
     .case_share = 15,
     .regions =
         "National Capital Region: Manila/Quezon City/Caloocan/Taguig/Pasay; "
         "Central Visayas: Cebu City/Lapu-Lapu/Mandaue/Dumaguete/Tagbilaran; "
         "Western Visayas: Iloilo City/Bacolod/Roxas City; "
         "Eastern Visayas: Tacloban/Ormoc/Catbalogan; Davao Region: Davao City/Tagum/Digos; "
         "Central Luzon: Angeles City/San Fernando/Olongapo; "
         "Calabarzon: Antipolo/Calamba/Batangas City; Bicol Region: Legazpi/Naga/Sorsogon; "
         "Northern Mindanao: Cagayan de Oro/Iligan; Zamboanga Peninsula: Zamboanga City/Dipolog",
     .cultures = "filipino",
     .hotspots = "osec=Central Visayas|Western Visayas|National Capital Region|Eastern Visayas; "
                 "sex_trafficking=Central Luzon|National Capital Region|Central Visayas; "
                 "labour_fishing=Zamboanga Peninsula|Bicol Region|Eastern Visayas; "
                 "forced_criminality=National Capital Region|Central Luzon",
     .form_weights = {0, 0, 2, 8, 12, 5, 4, 25, 33, 8, 3},
     .birth_date_known = 0.7,
     .prosecution_share = 0.5,
     .phone = "+63 9## ### ####",
     .police = "Women and Children Protection Center, PNP, {region}",
     .prosecutor = "Office of the Provincial Prosecutor, {town}",
     .court = "Regional Trial Court, {town}",
     .shelter = "{town} Home for Girls",
     .labour = "DOLE Regional Office, {region}",
     .welfare = "DSWD Field Office, {region}",
     .ngos = kEnglishNgos,
     .docket = "Crim. Case No. {n5}-{yy}",
     .trafficking_law = "RA 9208 as amended by RA 10364, s. 4 (trafficking in persons); "
                        "RA 9208 as amended by RA 10364, s. 6 (qualified trafficking)",
     .sexual_law = "RA 11930 (Anti-OSAEC and Anti-CSAEM Act), s. 4",
     .child_law = "RA 7610, s. 5 (child prostitution and other sexual abuse)",
     .partners = "NBI Anti-Human Trafficking Division; IACAT; DSWD; Barangay officials; "
                 "Bureau of Immigration"},
    {.code = "GH",
     .name = "Ghana",
     .case_share = 9,
     .regions = "Greater Accra: Accra/Tema/Madina/Ashaiman; Volta: Ho/Keta/Kpando/Hohoe; "
                "Oti: Dambai/Kete Krachi/Nkwanta; Bono East: Techiman/Kintampo/Yeji; "
                "Central: Cape Coast/Winneba/Elmina/Kasoa; Ashanti: Kumasi/Obuasi/Ejisu; "
                "Western: Sekondi-Takoradi/Tarkwa/Axim; Eastern: Koforidua/Akosombo/Nkawkaw; "
                "Northern: Tamale/Yendi/Savelugu; Upper East: Bolgatanga/Bawku/Navrongo",
     .cultures = "akan:60, ewe:25, dagomba:15",
     .region_cultures = "Volta=ewe; Northern=dagomba; Upper East=dagomba",
     .hotspots = "labour_fishing=Volta|Oti|Bono East; "
                 "labour_domestic_work=Greater Accra|Ashanti; "
                 "labour_other=Western|Ashanti; sex_trafficking=Greater Accra|Ashanti|Western",
     .form_weights = {0, 0, 1, 30, 12, 12, 9, 20, 3, 5, 8},
     .birth_date_known = 0.4,
     .prosecution_share = 0.4,
     .phone = "+233 24 ### ####",
     .police = "Anti-Human Trafficking Unit, Ghana Police Service, {region}",
     .prosecutor = "Office of the Attorney-General, {region} Regional Office",
     .court = "High Court, {town}",
     .shelter = "{town} Survivors' Shelter",
     .labour = "Labour Department, {region} Regional Office",
     .welfare = "Department of Social Welfare, {town}",
     .ngos = kEnglishNgos,
     .docket = "CR/{n4}/{yyyy}",
     .trafficking_law = "Human Trafficking Act 2005 (Act 694), s. 1",
     .labour_law = "Labour Act 2003 (Act 651), s. 116 (forced labour)",
     .sexual_law = "Criminal Offences Act 1960 (Act 29), s. 107",
     .child_law = "Children's Act 1998 (Act 560), s. 87",
     .partners = "Marine Police; Immigration Service; Human Trafficking Secretariat; "
                 "IOM; District Assembly"},
    {.code = "DO",
     .name = "Dominican Republic",
     .case_share = 8,
     .regions =
         "Distrito Nacional: Santo Domingo; "
         "Santo Domingo: Santo Domingo Este/Boca Chica/Los Alcarrizos; "
         "Santiago: Santiago de los Caballeros/Tamboril; "
         "La Altagracia: Higüey/Punta Cana/Bávaro; Puerto Plata: Puerto Plata/Sosúa/Cabarete; "
         "San Pedro de Macorís: San Pedro de Macorís/Consuelo; "
         "La Romana: La Romana/Villa Hermosa; Dajabón: Dajabón/Loma de Cabrera; "
         "Elías Piña: Comendador/Hondo Valle; Barahona: Barahona/Cabral",
     .cultures = "dominican:65, haitian:25, venezuelan:10",
     .form_cultures = "labour_agriculture=haitian:80,dominican:20; "
                      "labour_other=haitian:60,dominican:40; "
                      "sex_trafficking=dominican:55,venezuelan:30,haitian:15",
     .hotspots = "sex_trafficking=La Altagracia|Puerto Plata|Distrito Nacional|Santo Domingo; "
                 "labour_agriculture=San Pedro de Macorís|La Romana|Barahona; "
                 "labour_other=Dajabón|Elías Piña|Santiago",
     .form_weights = {0, 0, 2, 2, 12, 15, 8, 45, 5, 3, 8},
     .birth_date_known = 0.65,
     .prosecution_share = 0.4,
     .phone = "+1 809 ### ####",
     .police = "Departamento de Trata y Tráfico, Policía Nacional, {region}",
     .prosecutor = "Procuraduría Especializada contra la Trata de Personas, {region}",
     .court = "Tribunal Colegiado de {town}",
     .shelter = "Casa de Acogida {town}",
     .labour = "Ministerio de Trabajo, Oficina de {town}",
     .welfare = "CONANI, Oficina Regional {region}",
     .ngos = kSpanishNgos,
     .docket = "Exp. {n4}-{yyyy}",
     .trafficking_law = "Ley 137-03, art. 3 (trata de personas)",
     .labour_law = "Ley 137-03, art. 3 (trabajos forzados)",
     .sexual_law = "Código Penal, art. 334 (proxenetismo)",
     .child_law = "Ley 136-03, art. 410 (explotación sexual comercial de NNA)",
     .partners = "Dirección General de Migración; CESFRONT; OIM; Ministerio de la Mujer"},
    {.code = "KE",
     .name = "Kenya",
     .case_share = 8,
     .regions =
         "Nairobi: Nairobi/Kibera/Eastleigh; Mombasa: Mombasa/Likoni/Nyali; "
         "Kilifi: Malindi/Kilifi/Watamu; Kwale: Diani/Ukunda/Kwale; Kisumu: Kisumu/Ahero; "
         "Busia: Busia/Malaba; Nakuru: Nakuru/Naivasha; Kakamega: Kakamega/Mumias; "
         "Uasin Gishu: Eldoret/Burnt Forest; Garissa: Garissa/Dadaab; Turkana: Lodwar/Kakuma",
     .cultures = "kenyan:92, ugandan:8",
     .hotspots = "sex_trafficking=Mombasa|Kilifi|Kwale|Nairobi; "
                 "labour_domestic_work=Nairobi|Mombasa; labour_agriculture=Nakuru|Kakamega; "
                 "labour_fishing=Kisumu|Busia; forced_criminality=Nairobi",
     .form_weights = {0, 0, 3, 5, 25, 10, 10, 28, 5, 8, 6},
     .birth_date_known = 0.55,
     .prosecution_share = 0.4,
     .phone = "+254 7## ### ###",
     .police = "Anti-Human Trafficking and Child Protection Unit, {town}",
     .prosecutor = "Office of the Director of Public Prosecutions, {town}",
     .court = "Chief Magistrate's Court, {town}",
     .shelter = "{town} Rescue Centre",
     .labour = "State Department for Labour, {region} Office",
     .welfare = "Directorate of Children Services, {region}",
     .ngos = kEnglishNgos,
     .docket = "Cr. Case No. E{n3} of {yyyy}",
     .trafficking_law = "Counter-Trafficking in Persons Act 2010, s. 3",
     .labour_law = "Employment Act 2007, s. 4 (forced labour)",
     .sexual_law = "Sexual Offences Act 2006, s. 15 (child prostitution)",
     .child_law = "Children Act 2022, s. 22",
     .partners = "Directorate of Criminal Investigations; Immigration Department; IOM; "
                 "County Children Officer"},
    {.code = "UG",
     .name = "Uganda",
     .case_share = 7,
     .regions = "Kampala: Kampala/Kawempe/Nakawa; Wakiso: Entebbe/Nansana/Kira; "
                "Mukono: Mukono/Seeta; Jinja: Jinja/Njeru; Mbale: Mbale/Namisindwa; "
                "Busia: Busia/Lumino; Gulu: Gulu/Laroo; Mbarara: Mbarara/Kakoba; "
                "Kasese: Kasese/Bwera; Arua: Arua/Koboko; Moroto: Moroto/Nakiloro",
     .cultures = "ugandan:92, kenyan:8",
     .hotspots = "forced_criminality=Moroto|Kampala; labour_domestic_work=Kampala|Wakiso; "
                 "sex_trafficking=Kampala|Busia|Jinja; labour_fishing=Kasese|Jinja; "
                 "labour_agriculture=Mbarara|Kasese",
     .form_weights = {0, 0, 1, 3, 30, 12, 10, 25, 3, 10, 6},
     .birth_date_known = 0.4,
     .prosecution_share = 0.35,
     .phone = "+256 7## ### ###",
     .police = "Child and Family Protection Unit, Uganda Police Force, {town}",
     .prosecutor = "Office of the Director of Public Prosecutions, {town}",
     .court = "High Court, {town}",
     .shelter = "{town} Transit Shelter",
     .labour = "District Labour Office, {town}",
     .welfare = "Probation and Social Welfare Office, {town}",
     .ngos = kEnglishNgos,
     .docket = "HCT-00-CR-SC-{n4}-{yyyy}",
     .trafficking_law = "Prevention of Trafficking in Persons Act 2009, s. 3; "
                        "Prevention of Trafficking in Persons Act 2009, s. 4 (aggravated)",
     .labour_law = "Employment Act 2006, s. 5 (forced labour)",
     .child_law = "Prevention of Trafficking in Persons Act 2009, s. 5 (trafficking in children)",
     .partners = "Coordination Office to Prevent Trafficking in Persons; Immigration; IOM; "
                 "District Probation Officer"},
    {.code = "RO",
     .name = "Romania",
     .case_share = 8,
     .regions = "București: București/Sector 3/Sector 5; Iași: Iași/Pașcani; "
                "Constanța: Constanța/Mangalia; Timiș: Timișoara/Lugoj; Cluj: Cluj-Napoca/Turda; "
                "Dolj: Craiova/Băilești; Bacău: Bacău/Onești; Galați: Galați/Tecuci; "
                "Brașov: Brașov/Făgăraș; Suceava: Suceava/Rădăuți; Vaslui: Vaslui/Bârlad; "
                "Neamț: Piatra Neamț/Roman",
     .cultures = "romanian:92, moldovan:8",
     .hotspots = "sex_trafficking=București|Iași|Constanța|Vaslui|Bacău; "
                 "forced_criminality=Dolj|Galați|Vaslui; labour_agriculture=Suceava|Neamț",
     .form_weights = {0, 0, 2, 1, 4, 10, 12, 52, 3, 12, 4},
     .birth_date_known = 0.9,
     .prosecution_share = 0.55,
     .phone = "+40 7## ### ###",
     .police = "Serviciul de Combatere a Criminalității Organizate {region}",
     .prosecutor = "DIICOT, Serviciul Teritorial {region}",
     .court = "Tribunalul {region}",
     .shelter = "Centrul de Asistență pentru Victime {town}",
     .labour = "Inspectoratul Teritorial de Muncă {region}",
     .welfare = "DGASPC {region}",
     .ngos = "Asociația Drum Nou {town}; Fundația Speranța {region}; "
             "Rețeaua Anti-Trafic {region}; Asociația Pași Siguri {town}",
     .docket = "{n4}/{n2}/{yyyy}",
     .trafficking_law = "Codul penal, art. 210 (traficul de persoane)",
     .labour_law = "Codul penal, art. 182 (exploatarea unei persoane)",
     .sexual_law = "Codul penal, art. 213 (proxenetismul)",
     .child_law = "Codul penal, art. 211 (traficul de minori)",
     .partners = "ANITP; Poliția de Frontieră; Europol; IGPR"},
    {.code = "MY",
     .name = "Malaysia",
     .case_share = 8,
     .regions = "Kuala Lumpur: Kuala Lumpur/Cheras/Kepong; "
                "Selangor: Shah Alam/Klang/Petaling Jaya/Sepang; "
                "Johor: Johor Bahru/Muar/Batu Pahat; Penang: George Town/Butterworth/Bayan Lepas; "
                "Sabah: Kota Kinabalu/Sandakan/Tawau; Sarawak: Kuching/Miri/Sibu; "
                "Perak: Ipoh/Taiping; Kedah: Alor Setar/Sungai Petani; "
                "Kelantan: Kota Bharu/Rantau Panjang; Melaka: Melaka/Alor Gajah",
     .cultures = "malay:45, chinese_my:25, tamil_my:10, indonesian:10, bangladeshi:5, myanmar:5",
     .form_cultures = "labour_agriculture=indonesian:50,bangladeshi:20,myanmar:15,malay:15; "
                      "labour_other=bangladeshi:40,myanmar:20,indonesian:20,malay:20; "
                      "labour_domestic_work=indonesian:60,filipino:25,khmer:15; "
                      "labour_fishing=myanmar:40,indonesian:30,khmer:15,bangladeshi:15; "
                      "forced_criminality=malay:30,chinese_my:30,indonesian:15,hindi:10,"
                      "filipino:10,kenyan:5; "
                      "sex_trafficking=indonesian:25,vietnamese:20,chinese_cn:15,malay:20,"
                      "filipino:20",
     .hotspots = "labour_agriculture=Sabah|Sarawak|Johor|Perak; "
                 "forced_criminality=Kuala Lumpur|Selangor|Johor|Penang; "
                 "labour_fishing=Sabah|Kedah|Perak; labour_other=Selangor|Penang|Johor",
     .form_weights = {0, 0, 8, 6, 15, 15, 15, 15, 2, 22, 2},
     .birth_date_known = 0.8,
     .prosecution_share = 0.45,
     .phone = "+60 1#-### ####",
     .police = "D3 Anti-Trafficking Unit, Royal Malaysia Police, {region}",
     .prosecutor = "Attorney General's Chambers, {region} Prosecution Unit",
     .court = "Sessions Court, {town}",
     .shelter = "Rumah Perlindungan {town}",
     .labour = "Jabatan Tenaga Kerja, {region}",
     .welfare = "Jabatan Kebajikan Masyarakat, {town}",
     .ngos = kEnglishNgos,
     .docket = "62-{n3}-{mm}/{yyyy}",
     .trafficking_law = "ATIPSOM Act 2007, s. 12 (trafficking in persons)",
     .labour_law = "ATIPSOM Act 2007, s. 13 (trafficking by threat, force or coercion)",
     .sexual_law = "Penal Code, s. 372 (exploiting any person for purposes of prostitution)",
     .child_law = "ATIPSOM Act 2007, s. 14 (trafficking in children)",
     .partners = "Immigration Department; MAPO; Labour Department; IOM; Embassy liaison"},
    {.code = "KH",
     .name = "Cambodia",
     .case_share = 9,
     .regions =
         "Phnom Penh: Phnom Penh/Chbar Ampov/Dangkao; Preah Sihanouk: Sihanoukville/Prey Nob; "
         "Siem Reap: Siem Reap/Puok; Banteay Meanchey: Poipet/Serei Saophoan; "
         "Battambang: Battambang/Moung Ruessei; Kandal: Ta Khmau/Kien Svay/Sa'ang; "
         "Koh Kong: Khemarak Phoumin/Sre Ambel; Prey Veng: Prey Veng/Neak Loeung; "
         "Svay Rieng: Bavet/Svay Rieng; Kampong Cham: Kampong Cham/Suong",
     .cultures = "khmer",
     .form_cultures = "forced_criminality=chinese_cn:25,vietnamese:15,indonesian:15,khmer:10,"
                      "malay:5,filipino:10,hindi:5,kenyan:5,ugandan:5,bangladeshi:5; "
                      "sex_trafficking=khmer:70,vietnamese:30",
     .hotspots = "forced_criminality=Preah Sihanouk|Banteay Meanchey|Svay Rieng|Phnom Penh|"
                 "Koh Kong; labour_brick_kiln=Kandal|Phnom Penh|Kampong Cham; "
                 "sex_trafficking=Phnom Penh|Siem Reap|Banteay Meanchey; "
                 "labour_fishing=Koh Kong|Preah Sihanouk; osec=Phnom Penh|Siem Reap",
     .form_weights = {10, 1, 6, 8, 5, 6, 4, 20, 5, 32, 3},
     .birth_date_known = 0.5,
     .prosecution_share = 0.35,
     .phone = "+855 1# ### ###",
     .police = "Anti-Human Trafficking and Juvenile Protection Police, {region}",
     .prosecutor = "Prosecutor's Office, {region} Court of First Instance",
     .court = "{region} Court of First Instance",
     .shelter = "{town} Recovery Shelter",
     .labour = "Department of Labour and Vocational Training, {region}",
     .welfare = "Department of Social Affairs, Veterans and Youth Rehabilitation, {region}",
     .ngos = kEnglishNgos,
     .docket = "Criminal Case No. {n4}/{yyyy}",
     .trafficking_law = "Law on Suppression of Human Trafficking and Sexual Exploitation 2008, "
                        "art. 10",
     .labour_law = "Labour Law 1997, art. 15 (forced labour)",
     .sexual_law = "Law on Suppression of Human Trafficking and Sexual Exploitation 2008, art. 23",
     .child_law = "Law on Suppression of Human Trafficking and Sexual Exploitation 2008, art. 12",
     .partners = "Immigration Police; Provincial Governor's Office; IOM; Embassy liaison; "
                 "Commune Council"},
    {.code = "GT",
     .name = "Guatemala",
     .case_share = 7,
     .regions =
         "Guatemala: Ciudad de Guatemala/Mixco/Villa Nueva; "
         "Quetzaltenango: Quetzaltenango/Coatepeque; Huehuetenango: Huehuetenango/La Mesilla; "
         "San Marcos: San Marcos/Tecún Umán/Malacatán; Escuintla: Escuintla/Puerto San José; "
         "Petén: Flores/Santa Elena/Sayaxché; Alta Verapaz: Cobán/San Pedro Carchá; "
         "Quiché: Santa Cruz del Quiché/Chichicastenango/Nebaj; Izabal: Puerto Barrios/Morales; "
         "Sololá: Sololá/Panajachel",
     .cultures = "guatemalan:85, honduran:15",
     .hotspots = "sex_trafficking=San Marcos|Escuintla|Guatemala|Izabal|Petén; "
                 "forced_criminality=Guatemala; labour_agriculture=Escuintla|Huehuetenango; "
                 "labour_domestic_work=Guatemala|Quetzaltenango",
     .form_weights = {0, 0, 2, 1, 12, 15, 8, 40, 8, 10, 4},
     .birth_date_known = 0.6,
     .prosecution_share = 0.4,
     .phone = "+502 #### ####",
     .police = "Sección contra la Trata de Personas, DEIC, PNC, {region}",
     .prosecutor = "Fiscalía contra la Trata de Personas, {region}",
     .court = "Tribunal de Sentencia Penal de {town}",
     .shelter = "Casa Refugio {town}",
     .labour = "Inspección General de Trabajo, {region}",
     .welfare = "Secretaría de Bienestar Social, {region}",
     .ngos = kSpanishNgos,
     .docket = "{n5}-{yyyy}-{n5}",
     .trafficking_law = "Código Penal, art. 202 Ter (trata de personas)",
     .labour_law = "Código Penal, art. 202 Ter (trabajos forzados)",
     .sexual_law = "Ley VET (Decreto 9-2009), art. 39",
     .child_law = "Ley VET (Decreto 9-2009), art. 40",
     .partners = "SVET; Procuraduría General de la Nación; Migración; OIM"},
};

}  // namespace

std::span<const CountryData> country_data() { return kCountries; }

}  // namespace haven::demo
