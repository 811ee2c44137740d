"""The German and English word lists follow-up resolution (qa.chat.conversation) works with."""

from __future__ import annotations

WH_WORDS = frozenset(
    "what which who whom whose when where why how "
    "was welche welcher welches welchen welchem wer wen wem wessen wann wo woher wohin warum wieso weshalb "
    "weswegen wie womit wofür worüber wodurch woran worauf wovon wozu".split()
)
# question words that ask for a named thing: the answer to them can stand in for a pronoun later
ENTITY_WH = frozenset("who whom which wer wen wem welche welcher welches welchen welchem".split())
PERSON_WH = frozenset("who whom wer wen wem".split())
WH_DETERMINERS = frozenset("which what welche welcher welches welchen welchem".split())
# question phrases that count something: the noun after them belongs to what is asked
QUANTITY_WH = frozenset({"how many", "how much", "wie viel", "wie viele", "wieviel", "wieviele"})
# "how" / "wie" and the measure asked for are one question phrase: "Wie hoch war die Böe?" + "Und wo?" is
# "Wo war die Böe?", not "Wo hoch war die Böe?"
MEASURES = {
    "how": "many much long old often high big large tall far fast strong heavy expensive hot cold deep wide "
    "late soon early small low warm severe serious bad",
    "wie": "viele viel lange lang alt oft hoch groß weit schnell stark schwer teuer heiß kalt tief breit spät "
    "früh klein niedrig warm schlimm",
}
WH_PAIRS = frozenset((wh, measure) for wh, measures in MEASURES.items() for measure in measures.split())
CAUSE_WH = frozenset("why warum wieso weshalb weswegen".split())
COUNTRY_NOUNS = frozenset("land länder country countries staat staaten state states nation nations".split())

AUXILIARIES = frozenset(
    "is are was were be been has have had do does did can could will would shall should may might must".split()
)

# continuation cues at the start of a follow-up, longest first so "und was ist mit" wins over "und"
CUES = tuple(
    sorted(
        [
            "and what about",
            "what about",
            "how about",
            "and how about",
            "and",
            "but",
            "also",
            "and then",
            "then",
            "und was ist mit",
            "was ist mit",
            "und wie ist es mit",
            "wie ist es mit",
            "wie steht es mit",
            "und wie steht es mit",
            "wie sieht es mit",
            "und wie sieht es mit",
            "und",
            "aber",
            "auch",
            "und dann",
        ],
        key=lambda cue: -len(cue.split()),
    )
)
FILLERS = frozenset(
    "genau denn dann eigentlich noch bitte selbst exactly then again else please so itself themselves".split()
)
# before a German noun they count it: "wie viel Preisgeld", "viele Zuschauer" name no one
QUANTIFIERS = frozenset("viel viele vielen vielem wenig wenige wenigen mehr kein keine keinen etwas genug".split())
# after a question word they ask for the answers not given yet ("What else?", "Wer noch?")
OTHER_ANSWERS = frozenset("else noch sonst außerdem".split())

# pronouns that stand for an entity of the previous turn
PRONOUNS = frozenset(
    "he him his she her they them their it its there "
    "er ihn ihm sein seine seinen seinem seiner seines sie ihr ihre ihren ihrem ihrer ihres ihnen es "
    "dort dorthin".split()
)
PLACE_PRONOUNS = frozenset("there dort dorthin".split())
# pronouns that stand for a person: only a person-like name may replace them (never "Jahren" or "Millions")
PERSON_PRONOUNS = frozenset(
    "he him his she her er ihn ihm sein seine seinen seinem seiner seines sie ihr ihre ihren ihrem ihrer ihres".split()
)

# the verbs of saying that mark their subject as a person ("Kern sagte", "said Merz")
SAYING = frozenset("said says say told sagte sagt sagen erklärte".split())
# verbs of saying, promising, announcing: their subject is a speaker, so "er"/"sie" with them means a person
SPEAKING = SAYING | frozenset(
    """saying tell reply replied respond responded comment commented add added warn warned
    sagten gesagt erklären erklärt betont betonte geäußert äußerte antwortete
    geantwortet meinte gemeint kommentiert kommentierte warnte gewarnt promise promised announce announced
    versprechen verspricht versprach versprochen ankündigen kündigte angekündigt""".split()
)

POSSESSIVES_EN = frozenset("his their its".split())
POSSESSIVES_DE = frozenset("sein seine seinen seinem seiner seines ihre ihren ihrem ihrer ihres".split())
# words that point back at what happened rather than at someone
EVENT_WORDS = frozenset(
    "dabei damit dazu davon darüber dafür dagegen daran darauf dadurch deshalb deswegen daraufhin".split()
)
DEMONSTRATIVES = frozenset("this that these those dies diese dieser dieses diesem diesen das".split())
EVENT_VERBS = frozenset("happen happened mean means cost costs begin began end ended".split())
EXPLETIVE_VERBS = frozenset("gibt gab gäbe geht ging".split())
ANAPHORS = PRONOUNS | EVENT_WORDS | DEMONSTRATIVES

DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner "
    "diese dieser dieses diesem diesen jede jeder jedes jeden jedem alle viele wenige einige mehrere "
    "sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer unser unsere welche welcher welches welchen welchem "
    "im am zum zur vom beim ins ans".split()
)
ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
DEFINITE_ARTICLES_DE = frozenset("der die das den dem des".split())
PREPOSITIONS_DE = frozenset("für über unter gegen ohne um durch bei mit nach von zu aus seit".split())
PREPOSITIONS = PREPOSITIONS_DE | frozenset(
    "in im am an auf bis to from at into of for by near with since until till".split()
)

FUNCTION_WORDS = (
    frozenset(
        # English
        "a an the and or but if of in on at to for from by with about as into over after before under between "
        "during through against without within than then so also not no yes do does did is are was were be been "
        "has have had can could will would shall should may might must i you he she it we they me him her us "
        "them my your his its our their this that these those there here what which who whom whose when where "
        "why how all any some many much more most other such only own same very just one two three first last "
        "according article"
        # German
        " der die das den dem des ein eine einen einem einer eines und oder aber wenn als wie im in am an auf aus "
        "bei mit nach von vor zu zum zur für über unter durch gegen ohne um bis seit vom beim ins ist sind war "
        "waren wird werden wurde wurden hat haben hatte hatten sein kann können konnte soll sollen will wollen "
        "muss müssen darf ich du er sie es wir ihr ihn ihm ihnen mein dein seine ihre unser dies diese dieser "
        "dieses nicht kein keine auch noch nur schon sehr so dann denn doch ja nein laut artikel vom datum".split()
    )
    | WH_WORDS
    | ANAPHORS
    | AUXILIARIES
)

# words that only one of the two languages uses (for short messages py3langid cannot place)
GERMAN_HINTS = frozenset(
    "und aber auch warum wieso weshalb wer wen wem wann wo wie welche welcher welches ist hat sind haben "
    "er ihn ihm sie es dort dabei dazu darüber davon was mit genau denn dann nicht noch".split()
)
ENGLISH_HINTS = frozenset(
    "and but also why who whom when where how which what is has are have did does do he him she they them it "
    "there about then exactly else".split()
)

COUNTRIES = frozenset(
    """germany deutschland france frankreich estonia estland britain großbritannien uk england scotland schottland
    wales ireland irland usa us america amerika russia russland ukraine china japan italy italien spain spanien
    poland polen netherlands niederlande holland belgium belgien austria österreich switzerland schweiz sweden
    schweden norway norwegen denmark dänemark finland finnland latvia lettland lithuania litauen canada kanada
    turkey türkei greece griechenland portugal hungary ungarn romania rumänien bulgaria bulgarien czechia
    tschechien slovakia slowakei croatia kroatien serbia serbien kenya kenia brazil brasilien india indien
    egypt ägypten iran israel mexico mexiko australia australien mongolia mongolei belarus belarus moldova
    moldau georgia georgien armenia armenien syria syrien iraq irak""".split()
) | frozenset(
    {
        "united states",
        "vereinigte staaten",
        "united kingdom",
        "vereinigtes königreich",
        "south africa",
        "südafrika",
        "new zealand",
        "neuseeland",
    }
)

# capital cities, in both languages: a news sentence makes them speak for a government ("Kyiv
# responded", "Berlin said"), and a person pronoun must not take them
CAPITALS = frozenset(
    """berlin paris london moskau moscow kiew kyiv kiev warschau warsaw brüssel brussels washington peking beijing
    rom rome wien vienna madrid lissabon lisbon prag prague budapest bern amsterdam stockholm oslo kopenhagen
    copenhagen helsinki athen athens ankara tokio tokyo minsk tallinn riga vilnius dublin bukarest bucharest
    sofia belgrad belgrade zagreb ljubljana bratislava luxemburg luxembourg valletta nikosia nicosia
    jerusalem teheran tehran damaskus damascus kairo cairo delhi ottawa canberra""".split()
)

IRREGULAR_PAST = {
    "took": "take",
    "said": "say",
    "went": "go",
    "gave": "give",
    "made": "make",
    "won": "win",
    "led": "lead",
    "wrote": "write",
    "found": "find",
    "became": "become",
    "began": "begin",
    "came": "come",
    "built": "build",
    "held": "hold",
    "left": "leave",
    "lost": "lose",
    "met": "meet",
    "paid": "pay",
    "sent": "send",
    "sold": "sell",
    "told": "tell",
    "thought": "think",
    "brought": "bring",
    "bought": "buy",
    "fought": "fight",
    "knew": "know",
    "ran": "run",
    "saw": "see",
    "spoke": "speak",
    "stood": "stand",
    "taught": "teach",
    "got": "get",
    "kept": "keep",
    "ruled": "rule",
    "died": "die",
    "married": "marry",
}


# Titles before a name in a mention ("Russlands Präsident Wladimir Putin" -> "Wladimir Putin"): a follow-up
# about "him" means the person, and the name reads the same in both languages.
TITLES = frozenset(
    """präsident präsidenten präsidentin bundeskanzler bundeskanzlerin kanzler kanzlerin premier premierminister
    premierministerin ministerpräsident ministerpräsidentin generalsekretär minister ministerin außenminister
    verteidigungsminister könig königin papst president chancellor prime secretary general king queen pope
    sicherheitsexperte experte expert""".split()
)

# nouns that name a person's role: "Trainer Matthias Kern", "coach Kern", "welche Regisseurin"
PERSON_NOUNS = TITLES | frozenset(
    """trainer trainerin coach chef chefin leiter leiterin direktor direktorin director regisseur regisseurin
    sprecher sprecherin spokesman spokeswoman spokesperson chief head leader vorsitzende vorsitzender
    bürgermeister bürgermeisterin mayor manager managerin gründer gründerin founder vorständin vorstand
    personalvorständin personalvorstand ceo analyst analystin ökonom ökonomin economist researcher forscher
    forscherin professor professorin governor gouverneur schäfer shepherd spieler spielerin player torschütze
    scorer kapitän captain sportdirektor sportdirektorin museumsdirektorin curator kurator""".split()
)
# capitalised words that are never a person: months and weekdays, also abbreviated (datelines: "Oct 30") and
# in the plural ("open on Sundays")
CALENDAR_WORDS = frozenset(
    """january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec januar februar märz juni juli oktober dezember monday tuesday wednesday
    thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays montag
    dienstag mittwoch donnerstag freitag samstag sonntag""".split()
)
# words that make a capitalised phrase an organisation, not a person ("SC Union Kassel", "Deutsche Bahn")
ORGANISATION_WORDS = frozenset(
    """fc sc vfb tsv sv sg union eintracht borussia rot-weiß rot-weiss city united bank bahn council agency
    gmbh ag se verband gewerkschaft club verein institut institute university universität ministerium
    ministry partei party museum festival behörde amt office group gruppe port hafen airport flughafen airline
    airlines airways company konzern reederei klinikum polizei regierung government""".split()
)

# German -> English country names, for an answer's country put into a question of the other language.
COUNTRY_NAMES_DE_EN = dict(
    pair.split(":")
    for pair in """deutschland:Germany frankreich:France estland:Estonia großbritannien:Britain schottland:Scotland
    irland:Ireland amerika:America russland:Russia italien:Italy spanien:Spain polen:Poland
    niederlande:Netherlands belgien:Belgium österreich:Austria schweiz:Switzerland schweden:Sweden
    norwegen:Norway dänemark:Denmark finnland:Finland lettland:Latvia litauen:Lithuania kanada:Canada
    türkei:Turkey griechenland:Greece ungarn:Hungary rumänien:Romania bulgarien:Bulgaria tschechien:Czechia
    slowakei:Slovakia kroatien:Croatia serbien:Serbia kenia:Kenya brasilien:Brazil indien:India ägypten:Egypt
    mexiko:Mexico australien:Australia mongolei:Mongolia moldau:Moldova georgien:Georgia armenien:Armenia
    syrien:Syria irak:Iraq ukraine:Ukraine china:China japan:Japan""".split()
)
