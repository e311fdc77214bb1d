// Names of South and South-East Asia (and of the migrants met there), with the spelling variants
// that real registers contain: Devanagari and Tamil script against their romanisations, Khmer
// and Chinese characters, Hokkien/Cantonese against Pinyin, Dutch-era Indonesian spellings,
// Mohd/Muhammad, Vietnamese with and without diacritics.
#include "demo/world.hpp"

namespace haven::demo {
namespace {

constexpr CultureData kCultures[] = {
    {.id = "hindi",
     .nationality = "IN",
     .female = "Sunita/Suneeta=सुनीता, Pooja/Puja=पूजा, Reena/Rina=रीना, Anita/Aneeta=अनीता, "
               "Priyanka=प्रियंका, Seema/Sima=सीमा, Geeta/Gita=गीता, Lakshmi/Laxmi=लक्ष्मी, "
               "Kavita/Kavitha=कविता, Radha=राधा, Meena/Mina=मीना, Mamta/Mamata=ममता, "
               "Rekha=रेखा, Sarita/Saritha=सरिता, Pinki/Pinky=पिंकी, Rani/Raani=रानी, "
               "Nisha/Neesha=निशा, Kajal/Kaajal=काजल, Shanti/Shanthi=शांति, "
               "Sangeeta/Sangita=संगीता, Savitri=सावित्री, Phoolmati/Phulmati=फूलमती, "
               "Rukhsana/Ruksana=रुख़साना, Nazia/Naziya=नाज़िया",
     .male = "Rajesh=राजेश, Suresh=सुरेश, Ramesh=रमेश, Mukesh=मुकेश, Amit=अमित, Rahul=राहुल, "
             "Vikas/Vikash=विकास, Sanjay/Sanjai=संजय, Ajay/Ajai=अजय, Raju=राजू, Manoj=मनोज, "
             "Dinesh=दिनेश, Sunil/Suneel=सुनील, Ravi=रवि, "
             "Mohammad/Mohammed/Mohd/Muhammad=मोहम्मद, Santosh/Santhosh=संतोष, Birju=बिरजू, "
             "Ramu=रामू, Shankar=शंकर, Bablu=बबलू, Deepak/Dipak=दीपक, Arjun=अर्जुन, "
             "Imran=इमरान, Salman=सलमान, Jitendra/Jeetendra=जितेंद्र",
     .family = "Kumar=कुमार, Yadav/Yadava=यादव, Singh=सिंह, Sharma=शर्मा, Manjhi/Majhi=मांझी, "
               "Paswan=पासवान, Ram=राम, Prasad/Prashad=प्रसाद, Mandal=मंडल, Khan=ख़ान, "
               "Ansari=अंसारी, Gupta=गुप्ता, Chaudhary/Choudhary/Chaudhari=चौधरी, "
               "Verma/Varma=वर्मा, Maurya/Mourya=मौर्य, Rajbhar=राजभर, Nishad=निषाद, "
               "Kushwaha/Kushwah=कुशवाहा, Mahto/Mahato=महतो, Oraon/Uraon=उरांव, Munda=मुंडा, "
               "Patel=पटेल, Jadhav/Jadhao=जाधव, Pawar/Powar=पवार",
     .female_family = "Devi=देवी, Kumari=कुमारी",
     .nicknames = "f:Munni, m:Guddu, m:Pappu, m:Chhotu, m:Bablu, Rinku, f:Pinky, m:Golu, Sonu, "
                  "Monu, m:Bittu, f:Guddi",
     .native_share = 0.35},
    {.id = "tamil",
     .nationality = "IN",
     .female = "Lakshmi/Latchumi=லட்சுமி, Selvi=செல்வி, Kavitha/Kavita=கவிதா, Meena=மீனா, "
               "Rani=ராணி, Valli=வள்ளி, Chitra/Chithra=சித்ரா, Priya=பிரியா, "
               "Amudha/Amutha=அமுதா, Kala=கலா, Malar=மலர், Saroja=சரோஜா, "
               "Muthulakshmi=முத்துலட்சுமி, Pandiammal=பாண்டியம்மாள், Vijaya=விஜயா, "
               "Revathi/Revathy=ரேவதி, Sangeetha/Sangeeta=சங்கீதா, Jeya/Jaya=ஜெயா",
     .male = "Murugan=முருகன், Raja=ராஜா, Selvam=செல்வம், Kumar=குமார், "
             "Ganesan/Ganeshan=கணேசன், Subramanian/Subramaniam=சுப்பிரமணியன், "
             "Pandian/Pandiyan=பாண்டியன், Ramesh=ரமேஷ், Suresh=சுரேஷ், "
             "Velmurugan=வேல்முருகன், Muthu=முத்து, Arumugam/Arumugham=ஆறுமுகம், "
             "Karthik/Karthick=கார்த்திக், Senthil=செந்தில், Mani=மணி, Perumal=பெருமாள், "
             "Kannan=கண்ணன், Sekar/Sekhar=சேகர், Manikandan=மணிகண்டன், Ayyappan=ஐயப்பன்",
     .nicknames = "Kutti, m:Chinna, m:Thambi, f:Ammu, m:Kanna, f:Pappa",
     .patronymic = true,
     .native_share = 0.35},
    {.id = "tamil_my",
     .nationality = "MY",
     .names_of = "tamil",
     .patronymic = true,
     .native_share = 0.15},
    {.id = "filipino",
     .nationality = "PH",
     .female = "Maria Cristina/Ma. Cristina/Maria Christina, Maricel/Marisel, Jocelyn/Joselyn, "
               "Rowena/Rowina, Mary Joy/Maryjoy/Mary-Joy, Lovely/Lovelie, Princess, "
               "Angelica/Anjelica, Kristine/Christine/Cristine, Jennelyn/Jenelyn/Jenalyn, "
               "Rosalie/Rosaly, Marites/Maritess, Analyn/Annalyn, Jasmine/Jazmin, Shiela/Sheila, "
               "Rhea/Ria, Cherry Mae/Cherrymae, Divina, Josephine, Lorna, Luzviminda",
     .male = "Jose/José, Juan, Mark Anthony/Marc Anthony/Mark Antony, Jayson/Jason/Jaison, "
             "Jhon/John, Rodel/Rodell, Christian/Cristian, Reynaldo/Renaldo, Jerome, "
             "Ronaldo/Ronald, Rogelio, Ariel, Michael/Micheal, Junjun/Jun-Jun, Romeo, Efren, "
             "Noel, Dante, Eduardo, Ramil/Rammil, Arnel/Arnell",
     .family = "dela Cruz/Dela Cruz/De la Cruz/Delacruz, Santos, Reyes, Bautista, Garcia, "
               "Mendoza, Villanueva/Villaneuva, Ramos, Aquino, Castillo, Flores, "
               "Gonzales/Gonzalez, Cabrera, Manalo, Macaraeg/Makaraeg, Ibañez/Ibanez, "
               "Peñaflor/Penaflor, Tolentino, Dimaculangan/Dimakulangan, Lopez, Navarro, "
               "Cabahug, Alcantara, Sarmiento, Magbanua, Labrador",
     .nicknames = "f:Inday, f:Nene, m:Jojo, m:Junior, f:Bebang, f:Tisay, f:Ning, m:Dodong, m:Toto, "
                  "Bunso, m:Boy"},
    {.id = "malay",
     .nationality = "MY",
     .female = "Nur Aisyah/Nur Aishah/Noor Aisyah, Siti Nurhaliza/Siti Nur Haliza, "
               "Nurul Huda, Farah/Farrah, Aminah/Amina, Zainab/Zaynab, "
               "Nor Azizah/Noor Azizah, Fatimah/Fatima, Syafiqah/Shafiqah, Nabilah/Nabila, "
               "Puteri/Putri, Nur Izzati/Nur Izati",
     .male = "Muhammad Hafiz/Mohd Hafiz/Mohamad Hafiz, Ahmad Faizal/Ahmad Faisal, "
             "Muhammad Amirul/Mohd Amirul, Azman, Zulkifli/Zulkifly, "
             "Khairul Anuar/Khairul Anwar, Hafizuddin/Hafizudin, Ismail/Ismael, Rosli/Rusli, "
             "Hamzah/Hamza, Aiman, Faris/Fariz",
     .family = "Ahmad, Ismail, Abdullah, Hassan/Hasan, Ibrahim, Osman/Othman/Uthman, "
               "Yusof/Yusuf/Yusoff, Abdul Rahman/Abd Rahman, Mohd Noor/Mohamad Nor, "
               "Razak/Razaq, Salleh/Saleh, Idris, Zakaria/Zakariya, Kassim/Kasim, "
               "Hussin/Hussein/Husin",
     .nicknames = "Adik, Along, Angah, Acik, Ucu",
     .patronymic_male = "bin",
     .patronymic_female = "binti",
     .patronymic = true},
    {.id = "chinese_my",
     .nationality = "MY",
     .female = "Mei Ling/Meiling=美玲, Siew Mei/Xiu Mei=秀美, Li Ting/Lee Ting=丽婷, "
               "Hui Min/Huey Min=慧敏, Jia Hui/Chia Hui=佳慧, Yee Ling/Yi Ling=怡玲, "
               "Siew Ling/Xiu Ling=秀玲, Pei Shan/Pei San=佩珊, Xin Yi/Sin Yee=欣怡",
     .male = "Wei Ming/Wai Meng/Weiming=伟明, Chee Keong/Zhi Qiang=志强, "
             "Kok Wai/Guo Wei=国伟, Kah Hoe/Jia Hao=家豪, Chun Kit/Jun Jie=俊杰, "
             "Wai Kit/Wei Jie=伟杰, Boon Hock/Wen Fu=文福, Kah Seng/Jia Sheng=家成",
     .family = "Tan/Chan/Chin/Chen=陈, Lim/Lin=林, Lee/Li=李, Wong/Ooi/Huang=黄, "
               "Goh/Ng/Wu=吴, Ong/Wang=王, Teh/Cheng/Zheng=郑, Low/Lau/Liew/Liu=刘, "
               "Chong/Cheong/Teo/Zhang=张, Koh/Khor/Xu=许, Yap/Yeap/Ye=叶, Leong/Liang=梁",
     .nicknames = "m:Ah Boy, f:Ah Girl, m:Ah Meng, m:Ah Seng, f:Ah Mei, f:Xiao Mei",
     .family_first = true,
     .native_joined = true,
     .native_share = 0.25},
    {.id = "chinese_cn",
     .nationality = "CN",
     .female = "Jing=静, Li=丽, Min=敏, Xiuying/Xiu Ying=秀英, Yan=燕, Fang=芳, "
               "Xinyi/Xin Yi=欣怡, Zihan/Zi Han=子涵, Jiahui/Jia Hui=佳慧, Na=娜, Ting=婷, "
               "Lan=兰",
     .male = "Wei=伟, Jun=军, Hao=浩, Lei=磊, Yuxuan/Yu Xuan=宇轩, Haoran/Hao Ran=浩然, "
             "Qiang=强, Jie=杰, Tao=涛, Ming=明, Bo=波, Yong=勇",
     .family = "Chen/Chan/Tan=陈, Lin/Lim=林, Wang/Ong=王, Li/Lee=李, Zhang/Chang=张, "
               "Liu/Lau=刘, Huang/Wong=黄, Wu/Ng=吴, Zhao/Chao=赵, Zhou/Chou=周, "
               "Yang/Yeung=杨, Xu/Hsu=徐, Sun=孙, Ma=马, Zhu/Chu=朱, Hu/Wu=胡",
     .nicknames = "Xiao Wang, Xiao Li, m:A Hao, m:Lao Chen, f:Xiao Mei",
     .family_first = true,
     .native_joined = true,
     .native_share = 0.4},
    {.id = "khmer",
     .nationality = "KH",
     .female = "Sophea/Sophia=សុភា, Sokha/Sokhar=សុខា, Bopha/Bupha=បុប្ផា, "
               "Chenda/Chendar=ចិន្តា, Sreymom/Srey Mom=ស្រីមុំ, Sreypov/Srey Pov=ស្រីពៅ, "
               "Sreyneang/Srey Neang=ស្រីនាង, Theary/Thiri=ធារី, Channary/Chanary=ច័ន្ទនារី, "
               "Sopheap/Sophep=សុភាព, Kanha/Kagna=កញ្ញា, Sokunthea/Sokunthear=សុគន្ធា, "
               "Reaksmey/Raksmey=រស្មី, Vanny/Vanni=វណ្ណី, Leakhena/Leakena=លក្ខិណា",
     .male = "Dara/Darah=ដារ៉ា, Vanna/Vannak=វណ្ណា, Rithy/Ritthy=រិទ្ធី, Vibol/Vibal=វិបុល, "
             "Sophal/Sophall=សុផល, Samnang/Somnang=សំណាង, Veasna/Vesna=វាសនា, "
             "Rathana/Ratana/Rattana=រតនា, Kosal/Kosol=កុសល, Piseth/Pisith=ពិសិដ្ឋ, "
             "Sovann/Sovan=សុវណ្ណ, Chanthou/Chantou=ចាន់ធូ, Visal/Vishal=វិសាល, "
             "Vuthy/Vuthi=វុទ្ធី, Bunthoeun/Bunthoeurn=ប៊ុនធឿន",
     .family = "Sok=សុខ, Chan=ចាន់, Kim=គីម, Heng=ហេង, Keo/Kaev=កែវ, Meas/Mias=មាស, "
               "Chea=ជា, Ly/Lee=លី, Sim/Sem=ស៊ីម, Touch/Toch=ទូច, Chhim/Chim=ឈឹម, "
               "Bun/Boun=ប៊ុន, Sao/Sau=សៅ, Nhem/Nhim=ញឹម, Phan/Phann=ផាន់, Hem/Him=ហែម, "
               "Mao=ម៉ៅ, Ouk/Ok=អ៊ុក, Yim/Yem=យឹម, Prak/Prach=ប្រាក់",
     .nicknames = "f:Srey, Pov, f:Mom, f:Thida, Ah Pov, m:A Mao",
     .family_first = true,
     .native_share = 0.5},
    {.id = "vietnamese",
     .nationality = "VN",
     .female = "Thị Lan/Thi Lan, Thị Hoa/Thi Hoa, Thị Mai/Thi Mai, Ngọc Anh/Ngoc Anh, "
               "Thu Hà/Thu Ha, Thị Hương/Thi Huong, Minh Thư/Minh Thu, Thanh Hằng/Thanh Hang",
     .male = "Văn Hùng/Van Hung, Văn Nam/Van Nam, Minh Tuấn/Minh Tuan, Quốc Bảo/Quoc Bao, "
             "Đức Anh/Duc Anh, Văn Long/Van Long, Thanh Tùng/Thanh Tung, Hoàng Long/Hoang Long",
     .family = "Nguyễn/Nguyen, Trần/Tran, Lê/Le, Phạm/Pham, Hoàng/Hoang/Huỳnh/Huynh, "
               "Võ/Vo/Vũ/Vu, Đặng/Dang, Bùi/Bui, Đỗ/Do, Ngô/Ngo, Dương/Duong",
     .nicknames = "Bé, Út, Tí, Hai, Ba",
     .family_first = true},
    {.id = "indonesian",
     .nationality = "ID",
     .female = "Siti, Dewi, Sri, Wulandari/Woelandari, Rina, Yanti/Yanty, Ratna, Lestari, "
               "Fitriani/Fitri, Ayu, Indah, Kartika",
     .male = "Agus/Agoes, Budi/Boedi, Joko/Djoko, Slamet/Selamet, Eko, Rudi/Rudy, Ahmad, "
             "Hendra, Wahyu/Wahjoe, Bambang, Dedi/Dedy, Suryadi/Soerjadi",
     .family = "Setiawan/Setyawan, Hidayat/Hidajat, Purnamasari, Wijaya/Widjaja, "
               "Santoso/Santosa, Saputra/Saputro, Kurniawan, Susanto/Soesanto, "
               "Nugroho/Nugraha, Pratama, Hartono, Rahayu, Lubis, Siregar, Simanjuntak",
     .nicknames = "f:Mbak, f:Neng, m:Ucok, f:Yuyun, m:Iwan",
     .single_name_share = 0.25},
    {.id = "bangladeshi",
     .nationality = "BD",
     .female = "Fatema/Fatima, Ayesha/Aysha, Nasrin/Nasreen, Shirin/Shireen, Rahima/Rohima, "
               "Jahanara/Jahan Ara, Taslima/Toslima, Rokeya/Rokeiya",
     .male = "Mohammad/Md./Mohammed/Muhammad, Abdul Karim/Abdul Kareem, Rafiqul/Rofiqul, "
             "Shahidul/Shohidul, Kamal, Jamal, Anwar/Anowar, Habib, Sohel/Shohel, Rubel, "
             "Mizanur, Alamgir/Alomgir",
     .family = "Hossain/Hossen/Hussain, Islam, Rahman/Rohman, Uddin, Alam/Alom, "
               "Ahmed/Ahmad, Miah/Mia, Sarker/Sarkar, Sheikh/Shaikh, Chowdhury/Choudhury",
     .female_family = "Akter/Akhter/Aktar, Begum/Begam, Khatun/Khatoon"},
    {.id = "myanmar",
     .nationality = "MM",
     .female = "Thida/Thidar, Su Su/Susu, Khin Myat, Nwe Nwe/Nway Nway, Aye Aye, "
               "Hnin Wai/Hnin Way, May Thu/Me Thu, Zin Mar/Zin Marr",
     .male = "Aung Kyaw, Kyaw Zin, Zaw Min, Min Htet, Thant Zin, Ko Ko/Koko, Htun Htun/Tun Tun, "
             "Myo Min",
     .family = "Win/Winn, Oo/U, Aung, Htun/Tun, Myint, Hlaing, Naing, Soe/So",
     .nicknames = "f:Ma Lay, m:Maung Lay, m:Ko Lay",
     .single_name_share = 0.3},
};

}  // namespace

std::span<const CultureData> asian_cultures() { return kCultures; }

}  // namespace haven::demo
