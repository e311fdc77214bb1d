// Names of West and East Africa, Romania and the Caribbean and Central America, with their
// spelling variants: Akan day names (Kwabena/Kobina), Ewe letters (Kɔmla, Ɖogbe), Kikuyu
// tildes, doubled Luganda consonants, Romanian comma-below against cedilla letters and missing
// diacritics, Spanish accents, Kreyòl spellings, K'iche' c/k.
#include "demo/world.hpp"

namespace haven::demo {
namespace {

constexpr CultureData kCultures[] = {
    {.id = "akan",
     .nationality = "GH",
     .female = "Ama/Amma, Akosua/Akos, Adwoa/Adjoa/Adjua, Abena/Abenaa, Akua/Akuah, Yaa/Yah, "
               "Afua/Efua/Afia, Esi/Essi, Araba, Ekua, Gifty, Comfort, Mercy, Patience, Vida, "
               "Felicia",
     .male = "Kwame/Kwamena, Kofi/Coffie, Kwaku/Kweku, Yaw/Yao, Kwabena/Kobina/Kwabina, "
             "Kwadwo/Kojo/Cudjoe, Kwasi/Kwesi/Akwasi, Fiifi/Fifi, Ebo, Emmanuel, Isaac, Samuel, "
             "Prince, Richmond, Ebenezer",
     .family = "Mensah/Mensa, Owusu, Boateng/Boatang, Asante/Asanti, Osei/Osae, "
               "Agyeman/Agyemang, Appiah/Apia, Ofori/Offori, Acheampong/Acheampon, "
               "Darko/Darkwa, Amoah/Amoa, Badu/Baddoo, Sarpong/Sarpon, Agyei, "
               "Frimpong/Frimpon, Annan/Anan, Quaye, Tetteh/Teteh, Bonsu, Antwi, Gyamfi/Jamfi",
     .nicknames = "f:Maame, Nana, m:Kobby, m:Paa Kwesi, f:Obaapa, m:Junior"},
    {.id = "ewe",
     .nationality = "GH",
     .female = "Dzifa/Jifa, Esinam, Sena/Senam, Eyram, Selasi/Selassie, Kafui, Mawunya, "
               "Delali/Dela, Yayra, Akpene, Enyonam/Enyo, Adzo/Adjo, Abla, Aku/Akou, "
               "Afi/Afiwa, Kɔsi/Kosi",
     .male = "Kodzo/Kodjo, Komla/Kɔmla/Kwamla, Kokou/Kwaku, Yao/Yawo, Koffi/Kofi, Kwami/Kwame, "
             "Mawuli, Edem, Selorm/Selom, Elikem, Senyo, Etse/Etsey, Kekeli",
     .family = "Agbeko, Amevor/Amevo, Dzokoto, Kpodo/Kpordo, Agbenyega/Agbenyegah, Ahiadeke, "
               "Gbeho, Tsikata/Tsikatah, Fiawoo/Fiawo, Adzraku, Amegah/Amega, Ahadzi, "
               "Dogbe/Ɖogbe, Gbedemah/Gbedema, Kumordzi/Kumodzi, Nyaho, Agbodeka, Avorgbedor",
     .nicknames = "Mawu, Sefa, m:Kodzo, Kekeli"},
    {.id = "dagomba",
     .nationality = "GH",
     .female = "Amina/Aminah, Fati/Fatima, Ayishetu/Aishetu/Ayisha, Memunatu/Memuna, "
               "Zenabu/Zainab, Hawa/Awa, Rahinatu/Rahina, Mariama/Mariam, Abiba/Habiba, "
               "Salamatu/Salamatou",
     .male = "Abdul-Rahman/Abdulrahman/Abdul Rahman, Fuseini/Fuseni/Huseini, "
             "Mohammed/Mohamed/Muhammad, Iddrisu/Idrisu/Idris, Alhassan/Alhasan, Yakubu/Yakub, "
             "Abukari/Abubakari/Abubakar, Sulemana/Suleiman, Issahaku/Issaka, Mahama, Adam, "
             "Seidu/Seidou",
     .family = "Iddrisu/Idrisu, Alhassan, Yakubu, Abukari/Abubakari, Mahama, Sulemana, Seidu, "
               "Issahaku, Fuseini, Zakaria/Zakari, Dawuni/Dauni, Yussif/Yusif, "
               "Abdulai/Abdullai, Salifu/Salifou, Tahiru",
     .nicknames = "f:Kayayo, m:Baba, f:Mma, m:Sumaila"},
    {.id = "kenyan",
     .nationality = "KE",
     .female = "Grace, Mercy, Faith, Wanjiru/Wanjirũ, Njeri, Achieng, Akinyi, Chebet, "
               "Nafula/Naphula, Mueni, Wambui, Atieno, Nyambura, Jeptoo/Jepto, Halima/Halimah, "
               "Mwanaisha, Zawadi/Zawady, Wairimu/Wairĩmũ",
     .male = "John, Peter, Joseph, Brian, Kevin, Kamau, Otieno, Ochieng/Ocheng, Kiprono, "
             "Mutua, Wafula, Omondi, Kipchoge, Mwangi, Hassan/Hasan, Juma, Baraka, Kibet",
     .family = "Kamau, Mwangi, Otieno, Odhiambo/Odiambo, Ochieng, Kiprono, Mutua, Wafula, "
               "Njoroge/Njoroje, Kariuki/Kariũki, Kimani, Omondi, Chebet, Wanjala, "
               "Onyango/Onyangu, Kipkemboi, Muthoni/Mũthoni, Macharia, Mohamed/Mohammed, "
               "Barasa/Barassa",
     .nicknames = "f:Shiro, m:Wash, Kim, f:Baby, f:Mama Njeri"},
    {.id = "ugandan",
     .nationality = "UG",
     .female = "Nakato/Nakatto, Babirye/Babiriye, Namukasa, Nakimuli, Akello/Akelo, Auma, "
               "Atuhaire/Atuhaile, Kyomuhendo, Nansubuga/Nansubugga, Aciro/Achiro, Namusoke, "
               "Florence, Sarah/Sara, Esther/Ester, Prossy/Prossie, Shamim/Shameem",
     .male = "Kato/Katto, Waswa/Wasswa, Okello/Okelo, Opio/Opiyo, Mukasa/Mukassa, "
             "Ssempala/Sempala, Ssekandi/Sekandi, Byaruhanga/Byaruanga, Tumusiime/Tumusime, "
             "Mugisha/Mugisa, Ochen/Otchen, Isaac, Ronald, Moses, Brian, Twaha",
     .family = "Ssemakula/Semakula, Mukasa, Okello, Opio, Byaruhanga, Tumusiime/Tumusime, "
               "Kyomuhendo, Ssekandi/Sekandi, Namubiru, Kato, Nsubuga/Nsubugha, Mugisha, "
               "Katende, Lubega/Lubegga, Kizza/Kiza, Wamala, Atim, Lokiru, Lomongin",
     .nicknames = "f:Maama, f:Ssenga, m:Kojja, Jajja, Mukwano"},
    {.id = "romanian",
     .nationality = "RO",
     .female = "Ioana, Andreea/Andreia, Mădălina/Madalina, Elena, Cristina, Alexandra, Maria, "
               "Florentina, Georgiana/Giorgiana, Alina, Nicoleta/Nicoletta, Denisa/Denissa, "
               "Larisa/Larissa, Bianca, Ramona, Roxana, Ionela, Ștefania/Ştefania/Stefania, "
               "Gabriela",
     .male = "Ionuț/Ionuţ/Ionut, Ștefan/Ştefan/Stefan, Gheorghe/Gheorge, Vasile, Mihai/Mihail, "
             "Florin, Marian, Adrian, Daniel, Cătălin/Catalin, Nicolae/Nicolai, Bogdan, "
             "Alexandru, Costel, Marius, Răzvan/Razvan",
     .family = "Popescu, Ionescu, Dumitru, Stan, Stoica, Gheorghe, Rusu, Munteanu/Muntean, "
               "Constantin, Matei, Lungu, Răducanu/Raducanu, Țurcanu/Ţurcanu/Turcanu, "
               "Căpraru/Capraru, Niță/Niţă/Nita, Dobre, Bălan/Balan, Moldovan, Lupu, "
               "Ciobanu, Sârbu/Sîrbu/Sirbu, Mocanu, Roman, Anghel",
     .nicknames = "f:Nela, m:Nelu, m:Gigi, m:Fănel, Bebe, m:Mitică, f:Lili"},
    {.id = "moldovan", .nationality = "MD", .names_of = "romanian"},
    {.id = "dominican",
     .nationality = "DO",
     .female = "María/Maria, Yokasta/Yocasta, Ana Isabel, Rosa Elena, Yudelka/Yudelca, "
               "Altagracia, Yesenia/Yessenia, Carmen, Francisca, Yanet/Yaneth, Esther, "
               "Wendy/Wendi, Massiel/Masiel, Yahaira/Yajaira, Luz María/Luz Maria, Juana, "
               "Miguelina, Nathaly/Nathalie/Natali",
     .male = "José/Jose, Juan Carlos, Ramón/Ramon, Luis Manuel, Francisco, Pedro, Rafael, "
             "Wilkin/Wilquin, Yefri/Jeffry, Starlin/Stalin, Ángel/Angel, Félix/Felix, Manuel, "
             "Anderson, Julio César/Julio Cesar, Héctor/Hector, Domingo, Eddy/Edy",
     .family = "Rodríguez/Rodriguez, Pérez/Perez, Martínez/Martinez, Gómez/Gomez, "
               "Núñez/Nunez, Jiménez/Jimenez, Féliz/Feliz, Santana, Reyes, "
               "De la Rosa/Delarosa, Mejía/Mejia, Peña/Pena, Báez/Baez, Guzmán/Guzman, "
               "Almonte, Batista/Bautista, Sánchez/Sanchez, Castillo, Ventura, Familia, "
               "Polanco, Matos",
     .nicknames = "f:La Flaca, m:El Moreno, f:Chichi, f:Nena, m:Papito, f:Cuca",
     .double_surname_share = 0.5},
    {.id = "venezuelan", .nationality = "VE", .names_of = "dominican", .double_surname_share = 0.5},
    {.id = "honduran", .nationality = "HN", .names_of = "dominican", .double_surname_share = 0.5},
    {.id = "haitian",
     .nationality = "HT",
     .female = "Marie, Rose-Marie/Rosemarie, Nadège/Nadege, Guerline, Mirlande/Mirland, "
               "Fabiola, Jesula, Roseline/Rozlin, Marie-Claire/Marie Claire, Nathalie/Natali, "
               "Widline/Widlyne, Sandra",
     .male = "Jean, Jean-Baptiste/Jean Baptiste, Pierre/Pyè, Joseph/Jozèf, Louis/Lwi, "
             "Wilner/Wilnè, Jean-Robert/Jean Robert, Frantz/Franz, Wilson, Jacques/Jak, "
             "Dieudonné/Dieudonne, Evens/Evans, Stanley",
     .family = "Jean-Baptiste/Jean Baptiste, Pierre, Joseph, Louis, Saint-Fleur/St-Fleur, "
               "Dorvil, Charles, Étienne/Etienne, Alexis, Désir/Desir, Jean-Louis/Jean Louis, "
               "Augustin, Cadet, Michel, Noël/Noel, Bien-Aimé/Bien-Aime/Bienaime, Toussaint, "
               "Saintil",
     .nicknames = "m:Ti Jan, f:Ti Mari, m:Boss, f:Manman, m:Ti Pyè"},
    {.id = "guatemalan",
     .nationality = "GT",
     .female = "María/Maria, Juana, Rosa, Marta/Martha, Ana Lucía/Ana Lucia, Sandra, Brenda, "
               "Heidy/Heidi, Yeni/Yenny, Sonia, Candelaria, Petrona, Catarina, Dulce María, "
               "Glenda, Cindy/Cindi",
     .male = "José/Jose, Juan, Pedro, Manuel, Josué/Josue, Héctor/Hector, Wilmer/Wilmar, "
             "Byron/Bairon, Édgar/Edgar, Marvin/Marbin, Diego, Santos, Tomás/Tomas, "
             "Mynor/Minor, Érick/Erick, Kevin, Francisco",
     .family = "López/Lopez, Pérez/Perez, García/Garcia, Hernández/Hernandez, "
               "Ramírez/Ramirez, Morales, Tzoc/Tzok, Ixcoy/Ixcoi, Chitay, Cux/Kux, Tum, "
               "Coj/Koj, Us, Chávez/Chavez, Xicará/Xicara, Ajanel, Sic/Sik, Batz/Baatz, Cumes, "
               "Velásquez/Velasquez, Méndez/Mendez, Gómez/Gomez, Tojín/Tojin",
     .nicknames = "f:La Chula, m:El Chino, m:Chepe, f:Juanita, f:Nena",
     .double_surname_share = 0.55},
};

}  // namespace

std::span<const CultureData> other_cultures() { return kCultures; }

}  // namespace haven::demo
