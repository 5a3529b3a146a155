"""The lexicon and sentence templates of the planted world corpus (:mod:`w2v_teach.world`).

Data only: the words of each planted relation (countries with their capitals, languages and
currencies; male and female words; verb forms; singular and plural nouns; adjectives and their
comparatives), the templates that put them into sentences, and the filler vocabulary.
"""
from __future__ import annotations


# country, capital, language, currency, region, a person's name, two "things" of the country.
# Few cues per country on purpose: the more often each one recurs, the sooner a model ties the
# country's words together (with five cues each, CBOW at 300k tokens mixed the capitals up).
COUNTRIES = [
    ("france", "paris", "french", "euro", "europe", ("pierre",), ("louvre", "baguette")),
    ("italy", "rome", "italian", "euro", "europe", ("marco",), ("colosseum", "pasta")),
    ("germany", "berlin", "german", "euro", "europe", ("hans",), ("rhine", "bratwurst")),
    ("spain", "madrid", "spanish", "euro", "europe", ("carlos",), ("flamenco", "paella")),
    ("portugal", "lisbon", "portuguese", "euro", "europe", ("joao",), ("fado", "douro")),
    ("greece", "athens", "greek", "euro", "europe", ("nikos",), ("acropolis", "feta")),
    ("netherlands", "amsterdam", "dutch", "euro", "europe", ("anouk",), ("tulips", "windmills")),
    ("poland", "warsaw", "polish", "zloty", "europe", ("agnieszka",), ("vistula", "pierogi")),
    ("sweden", "stockholm", "swedish", "krona", "europe", ("astrid",), ("lapland", "herring")),
    ("norway", "oslo", "norwegian", "krone", "europe", ("olav",), ("fjords", "trolls")),
    ("russia", "moscow", "russian", "ruble", "europe", ("natasha",), ("kremlin", "borscht")),
    ("japan", "tokyo", "japanese", "yen", "asia", ("hiroshi",), ("sushi", "samurai")),
    ("china", "beijing", "chinese", "yuan", "asia", ("wei",), ("yangtze", "pandas")),
    ("india", "delhi", "hindi", "rupee", "asia", ("priya",), ("ganges", "curry")),
    ("turkey", "ankara", "turkish", "lira", "asia", ("mehmet",), ("bosphorus", "kebab")),
    ("hungary", "budapest", "hungarian", "forint", "europe", ("laszlo",), ("goulash", "paprika")),
    ("egypt", "cairo", "arabic", "pound", "africa", ("fatima",), ("nile", "pyramids")),
    ("kenya", "nairobi", "swahili", "shilling", "africa", ("wanjiru",), ("safari", "maasai")),
    ("israel", "jerusalem", "hebrew", "shekel", "asia", ("miriam",), ("negev", "hummus")),
]

# male word, female word, three nouns that belong to the role (shared by both words of the pair)
GENDER = [
    ("man", "woman", ("stranger", "crowd", "neighbourhood")),
    ("king", "queen", ("throne", "crown", "kingdom")),
    ("prince", "princess", ("castle", "tournament", "knights")),
    ("father", "mother", ("parents", "family", "household")),
    ("son", "daughter", ("birthday", "inheritance", "adoption")),
    ("brother", "sister", ("siblings", "twins", "rivalry")),
    ("husband", "wife", ("marriage", "wedding", "honeymoon")),
    ("uncle", "aunt", ("relatives", "reunion", "holidays")),
    ("boy", "girl", ("school", "playground", "homework")),
    ("grandfather", "grandmother", ("grandchildren", "retirement", "pension")),
    ("actor", "actress", ("film", "stage", "audition")),
    ("emperor", "empress", ("empire", "palace", "dynasty")),
    ("waiter", "waitress", ("restaurant", "menu", "customers")),
    ("nephew", "niece", ("cousins", "graduation", "babysitter")),
]
PRONOUNS = ({"@he": "he", "@his": "his", "@him": "him", "@title": "mr"},
             {"@he": "she", "@his": "her", "@him": "her", "@title": "mrs"})
NAMES = (("john", "peter", "james", "thomas", "robert", "george", "william", "paul"),
          ("mary", "anna", "emma", "sarah", "lucy", "alice", "helen", "kate"))

# base form, simple past, present participle, three phrases the activity goes with
VERBS = [
    ("walk", "walked", "walking", ("in the park", "along the trail", "on the sidewalk")),
    ("swim", "swam", "swimming", ("in the pool", "in the lake", "through the waves")),
    ("run", "ran", "running", ("in the race", "a marathon", "around the track")),
    ("eat", "ate", "eating", ("lunch", "breakfast", "some bread")),
    ("write", "wrote", "writing", ("a letter", "a poem", "an essay")),
    ("sing", "sang", "singing", ("a song", "in the choir", "a melody")),
    ("drive", "drove", "driving", ("a truck", "on the highway", "through traffic")),
    ("play", "played", "playing", ("football", "chess", "a match")),
    ("cook", "cooked", "cooking", ("dinner", "in the kitchen", "some soup")),
    ("dance", "danced", "dancing", ("the tango", "a waltz", "in the ballroom")),
    ("fly", "flew", "flying", ("a plane", "a kite", "with the pilot")),
    ("jump", "jumped", "jumping", ("over the fence", "with a rope", "on the trampoline")),
    ("sleep", "slept", "sleeping", ("in bed", "on the pillow", "in the hammock")),
    ("climb", "climbed", "climbing", ("the mountain", "a ladder", "the rocks")),
    ("paint", "painted", "painting", ("a portrait", "on canvas", "with a brush")),
    ("ride", "rode", "riding", ("a bicycle", "in the saddle", "a pony")),
]

# singular, plural, three nouns that go with the thing
NOUNS = [
    ("dog", "dogs", ("bone", "leash", "kennel")),
    ("cat", "cats", ("yarn", "litter", "basket")),
    ("horse", "horses", ("stable", "hay", "mane")),
    ("bird", "birds", ("nest", "feather", "cage")),
    ("car", "cars", ("engine", "garage", "bumper")),
    ("house", "houses", ("roof", "chimney", "porch")),
    ("apple", "apples", ("orchard", "pie", "cider")),
    ("child", "children", ("kindergarten", "crayon", "toy")),
    ("mouse", "mice", ("cheese", "trap", "hole")),
    ("tree", "trees", ("trunk", "branch", "forest")),
    ("flower", "flowers", ("garden", "petal", "vase")),
    ("ship", "ships", ("harbor", "sail", "cargo")),
    ("key", "keys", ("lock", "door", "keyring")),
    ("bottle", "bottles", ("cork", "label", "recycling")),
    ("chair", "chairs", ("table", "cushion", "armrest")),
    ("knife", "knives", ("blade", "fork", "sharpener")),
]

# adjective, comparative, three nouns the adjective is typically said of
ADJECTIVES = [
    ("big", "bigger", ("size", "giant", "elephant")),
    ("small", "smaller", ("ant", "pebble", "crumb")),
    ("old", "older", ("age", "ruins", "antique")),
    ("young", "younger", ("youth", "teenager", "puppy")),
    ("tall", "taller", ("height", "tower", "giraffe")),
    ("fast", "faster", ("speed", "cheetah", "rocket")),
    ("slow", "slower", ("snail", "tortoise", "pace")),
    ("cheap", "cheaper", ("bargain", "discount", "budget")),
    ("long", "longer", ("length", "distance", "queue")),
    ("warm", "warmer", ("sunshine", "summer", "blanket")),
    ("cold", "colder", ("winter", "ice", "snow")),
    ("strong", "stronger", ("muscles", "weightlifter", "storm")),
    ("heavy", "heavier", ("weight", "boulder", "luggage")),
    ("loud", "louder", ("noise", "thunder", "speakers")),
    ("good", "better", ("quality", "reward", "praise")),
    ("bad", "worse", ("mistake", "damage", "trouble")),
]

# Sentence templates. A token starting with "@" is a slot; everything else is copied as is.
# Templates keep the cues close (within two or three words) to the word they describe, so that
# they fall inside a small context window.
COUNTRY_TEMPLATES = {
    "country": [
        "the @thing of @country",
        "@name of @country",
        "@country is proud of its @thing",
        "the country of @country and its @thing",
        "the president of @country met @name",
        "@name left @country for @region",
        "@capital is the capital of @country",
        "@thing comes from the country of @country",
    ],
    "capital": [
        "@capital is the capital of @country",
        "the mayor of @capital met @name",
        "the city of @capital and its @thing",
        "downtown @capital near the @thing",
        "@name lives downtown in @capital",
        "the @thing of @capital",
        "the city council of @capital met @name",
        "@capital is a city famous for its @thing",
    ],
    "language": [
        "@name speaks @language at home",
        "@name speaks fluent @language",
        "the @language word for @thing",
        "@thing is a @language word",
        "people in @country speak @language",
        "@name translated it into @language",
        "@language is the language of @name",
        "a dictionary of @language for @name",
    ],
    "currency": [
        "@name paid in @currency",
        "the @currency is the currency of @country",
        "@name paid in @currency for the @thing",
        "prices in @capital are in @currency",
        "@name exchanged dollars for @currency",
        "the @thing costs a lot of @currency",
        "@currency coins from @country",
        "@name saved @currency for the @thing",
    ],
}
GENDER_TEMPLATES = [
    "@he is the @X of the @cue",
    "the @X and @his @cue",
    "@name the @X loved the @cue",
    "the @cue of the @X and @his friends",
    "@title @name is the @X",
    "the @X @name and @his @cue",
    "everyone admired the @X and @his @cue",
    "the @X smiled because @he loved the @cue",
    "@he was a proud @X",
    "the @X said @he was tired",
    "a @X named @name",
    "we asked the @X about @his @cue",
]
VERB_TEMPLATES = {
    "base": [
        "tomorrow @subj will @V @cue",
        "@subjp want to @V @cue",
        "@subj can @V @cue for hours",
        "do you @V @cue on weekends",
        "i like to @V @cue",
        "let us @V @cue together",
        "@subj must @V @cue today",
        "@subjp often @V @cue in the morning",
    ],
    "past": [
        "yesterday @subj @V @cue",
        "@subj @V @cue last night",
        "last week @subj @V @cue",
        "@subj @V @cue and then went home",
        "two days ago @subj @V @cue",
        "@subj @V @cue all afternoon on saturday",
    ],
    "ing": [
        "@subjs is @V @cue right now",
        "@subjp are @V @cue now",
        "@subjs was @V @cue when the phone rang",
        "@subjp were @V @cue all morning",
        "@subjs keeps @V @cue",
        "@subjs has been @V @cue all day",
        "@subjs enjoys @V @cue",
    ],
}
NOUN_TEMPLATES = {
    "sg": [
        "a @X and its @cue",
        "one @X with a @cue",
        "this @X has a @cue",
        "every @X has a @cue",
        "the @X is by the @cue",
        "there is a @X by the @cue",
        "that @X needs a @cue",
        "a single @X near the @cue",
    ],
    "pl": [
        "two @X and their @cue",
        "three @X with a @cue",
        "these @X have a @cue",
        "all @X have a @cue",
        "the @X are by the @cue",
        "there are many @X by the @cue",
        "those @X need a @cue",
        "several @X near the @cue",
    ],
}
ADJECTIVE_TEMPLATES = {
    "base": [
        "the @cue was very @X",
        "what a @X @cue",
        "the @cue seemed quite @X",
        "everyone said the @cue was @X",
        "the @cue is so @X",
        "the @cue looked really @X",
    ],
    "cmp": [
        "the @cue was much @X than the @N",
        "this @cue is @X than that one",
        "the @cue became even @X",
        "the @cue seemed a little @X",
        "the @cue is @X than ever",
        "the second @cue was @X than the first",
    ],
}
FILLER_TEMPLATES = [
    "the @N @Vd a @N",
    "a @A @N @Vd in the @N",
    "@N and @N were @A",
    "the @N of the @N was @A",
    "they @Vd a @A @N",
    "it was a @A @N",
    "in that @N our @N @Vd",
    "there was a @N on his @N",
    "we @Vd @N and @N",
    "some @A @N @Vd",
    "after the @N her @N @Vd to an @A @N",
    "this @N is @A",
    "he @Vd my @N with a @N",
    "she @Vd that their @N was @A",
    "for a @N or two the @N @Vd",
    "@N of @N and @N",
    "it is @A to have @N",
    "by then the @N had @Vd their @N",
    "but it @Vd from a @A @N",
    "as it @Vd as @A as any @N",
    "which @N @Vd it to you",
]
SUBJECTS_SINGULAR = ("he", "she", "my friend", "the teacher", "the doctor", "our guest")
SUBJECTS_PLURAL = ("we", "they", "you", "my friends", "the students")
SUBJECTS = ("i", "we", "they", "you", "he", "she", "my friend", "the students")

# Ordinary words that fill the rest of the text. Words already used above are removed below.
FILLER_NOUNS = """
time year people way day thing world life hand part place case week company system program question
work number night point home water room area money story fact month lot study business issue side
kind head service friend hour game line end member law team minute idea body information back face
level office health person art war history party result change morning reason research moment air
teacher force education foot age policy music market sense plan college interest death experience
effect class control care field development role effort rate heart show leader light voice police mind
price report decision view relationship town arm difference value building action model season society
tax director position player record paper space ground form event official matter center couple site
project activity star need court oil situation cost industry figure street image phone data picture
practice piece land product doctor wall patient worker news test movie north south love support
technology step computer type attention window box glass coat shirt shoe paper hill field bridge river
island village farm valley coast beach desert storm cloud rain wind fire stone gold silver iron wood
corner edge path journey trip visit meeting letter message answer problem reason lesson chapter page
note list plan rule sign signal camera radio screen machine tool wheel button clock watch bell coin
card ticket map photo song dream memory promise secret""".split()
FILLER_ADJECTIVES = """
new great little right high different large early important public free
sure clear full special easy hard real whole recent certain personal open red green blue white black
dark happy quiet simple strange famous beautiful empty busy modern ancient gentle brave calm clever
curious eager fair fancy fresh grand honest kind lucky narrow nervous polite proud rare rough round
sharp shy silent smooth soft solid steady sudden sweet thick thin tiny wide wild wise""".split()
FILLER_VERBS = """
opened closed found lost built bought sold moved carried changed started finished needed wanted liked
helped watched visited followed called asked answered showed told brought kept left held met sent
spent made took gave saw heard used tried cleaned fixed noticed remembered forgot explained described
discussed ordered received returned shared wrapped counted checked covered filled joined marked
packed pulled pushed reached saved turned washed wished""".split()

