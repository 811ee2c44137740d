"""Places a text names, in German or English: countries, German states and large cities.

Why: a question about a place no answering article mentions ("Wie hoch war die Inflation in der
Schweiz?" over an archive on the euro area, "Are bus drivers in Manchester going on strike?" over a
London strike) reaches cosines as high as an answerable one, and its other words are the story's own.
The place is the part the archive cannot answer. Each place is one key with its names in both
languages and the stems of its adjectives ("Großbritannien", "Britain", "britischen" are one), so a
German question over an English article compares places, not words; "America" (a continent as often as
a country) is none. A name that is also a common word ("Essen", "Halle", "Reading", "Bath") is left
out: a place missing here only means the rule says nothing.
"""

from __future__ import annotations

import re

# key: (names, whole words; adjectives and demonyms, as stems: "deutsch" reads "deutschen", "Deutsche")
_PLACES = {
    "germany": ("germany deutschland", "german deutsch"),
    "uk": (
        "uk britain united-kingdom großbritannien vereinigtes-königreich england scotland schottland wales",
        "british britisch briten english englisch scottish schottisch welsh walisisch",
    ),
    "us": ("usa u.s united-states vereinigte-staaten", "amerikanisch american"),
    "switzerland": ("switzerland schweiz eidgenossenschaft", "swiss schweizer"),
    "austria": ("austria österreich", "austrian österreich"),
    "france": ("france frankreich", "french franzos französisch"),
    "italy": ("italy italien", "italian italienisch"),
    "spain": ("spain spanien", "spanish spanier spanisch"),
    "netherlands": ("netherlands niederlande holland", "dutch niederländ holländ"),
    "belgium": ("belgium belgien", "belgian belgisch"),
    "poland": ("poland polen", "polish polnisch"),
    "czechia": ("czechia tschechien czech-republic", "czech tschechisch"),
    "denmark": ("denmark dänemark", "danish dänisch"),
    "sweden": ("sweden schweden", "swedish schwedisch"),
    "norway": ("norway norwegen", "norwegian norwegisch"),
    "finland": ("finland finnland", "finnish finnisch"),
    "ireland": ("ireland irland", "irish irisch"),
    "portugal": ("portugal", "portuguese portugiesisch"),
    "greece": ("greece griechenland", "greek griechisch"),
    "turkey": ("turkey türkei", "turkish türkisch"),
    "russia": ("russia russland", "russian russisch"),
    "ukraine": ("ukraine", "ukrainian ukrainisch"),
    "hungary": ("hungary ungarn", "hungarian ungarisch"),
    "romania": ("romania rumänien", "romanian rumänisch"),
    "china": ("china", "chinese chinesisch"),
    "japan": ("japan", "japanese japanisch"),
    "india": ("india indien", "indian indisch"),
    "canada": ("canada kanada", "canadian kanadisch"),
    "australia": ("australia australien", "australian australisch"),
    "brazil": ("brazil brasilien", "brazilian brasilianisch"),
    "estonia": ("estonia estland", "estonian estnisch"),
    "latvia": ("latvia lettland", "latvian lettisch"),
    "lithuania": ("lithuania litauen", "lithuanian litauisch"),
    "bulgaria": ("bulgaria bulgarien", "bulgarian bulgarisch"),
    "slovakia": ("slovakia slowakei", "slovak slowakisch"),
    "slovenia": ("slovenia slowenien", "slovenian slowenisch"),
    "croatia": ("croatia kroatien", "croatian kroatisch"),
    "serbia": ("serbia serbien", "serbian serbisch"),
    "luxembourg": ("luxembourg luxemburg", "luxemburgisch"),
    "belarus": ("belarus belarussia weißrussland", "belarusian belarussisch weißrussisch"),
    "armenia": ("armenia armenien", "armenian armenisch"),
    "mongolia": ("mongolia mongolei", "mongolian mongolisch"),
    "egypt": ("egypt ägypten", "egyptian ägyptisch"),
    "israel": ("israel", "israeli israelisch"),
    "iran": ("iran", "iranian iranisch"),
    "iraq": ("iraq irak", "iraqi irakisch"),
    "syria": ("syria syrien", "syrian syrisch"),
    "lebanon": ("lebanon libanon", "lebanese libanesisch"),
    "saudi-arabia": ("saudi-arabia saudi-arabien", "saudi saudisch"),
    "qatar": ("qatar katar", "qatari katarisch"),
    "afghanistan": ("afghanistan", "afghan afghanisch"),
    "pakistan": ("pakistan", "pakistani pakistanisch"),
    "indonesia": ("indonesia indonesien", "indonesian indonesisch"),
    "vietnam": ("vietnam", "vietnamese vietnamesisch"),
    "thailand": ("thailand", "thai thailändisch"),
    "nigeria": ("nigeria", "nigerian nigerianisch"),
    "kenya": ("kenya kenia", "kenyan kenianisch"),
    "south-africa": ("south-africa südafrika", "südafrikanisch"),
    "morocco": ("morocco marokko", "moroccan marokkanisch"),
    "tunisia": ("tunisia tunesien", "tunisian tunesisch"),
    "algeria": ("algeria algerien", "algerian algerisch"),
    "mexico": ("mexico mexiko", "mexican mexikanisch"),
    "argentina": ("argentina argentinien", "argentin"),
    "chile": ("chile", "chilean chilenisch"),
    "colombia": ("colombia kolumbien", "colombian kolumbianisch"),
    "peru": ("peru", "peruvian peruanisch"),
    "venezuela": ("venezuela", "venezolan venezuelan"),
    "cuba": ("cuba kuba", "cuban kubanisch"),
    "new-zealand": ("new-zealand neuseeland", "neuseeländisch"),
    "baden-württemberg": ("baden-württemberg", ""),
    "bavaria": ("bayern bavaria", "bavarian bayerisch"),
    "brandenburg": ("brandenburg", "brandenburgisch"),
    "hesse": ("hessen hesse", "hessisch"),
    "mecklenburg": ("mecklenburg-vorpommern mecklenburg", ""),
    "lower-saxony": ("niedersachsen lower-saxony", "niedersächsisch"),
    "north-rhine-westphalia": ("nordrhein-westfalen north-rhine-westphalia nrw", "nordrhein-westfälisch"),
    "rhineland-palatinate": ("rheinland-pfalz rhineland-palatinate", ""),
    "saarland": ("saarland", "saarländisch"),
    "saxony": ("sachsen saxony", "sächsisch"),
    "saxony-anhalt": ("sachsen-anhalt saxony-anhalt", ""),
    "schleswig-holstein": ("schleswig-holstein", ""),
    "thuringia": ("thüringen thuringia", "thüringisch"),
    "munich": ("münchen munich", "münchner"),
    "cologne": ("köln cologne", "kölner"),
    "nuremberg": ("nürnberg nuremberg", "nürnberger"),
    "hanover": ("hannover hanover", "hannoversch"),
    "brussels": ("brüssel brussels", "brüsseler"),
    "vienna": ("wien vienna", "wiener"),
    "zurich": ("zürich zurich", "zürcher"),
    "geneva": ("genf geneva", "genfer"),
    "moscow": ("moskau moscow", "moskauer"),
    "warsaw": ("warschau warsaw", "warschauer"),
    "prague": ("prag prague", "prager"),
    "rome": ("rom rome", ""),
    "lisbon": ("lissabon lisbon", ""),
    "copenhagen": ("kopenhagen copenhagen", ""),
    "athens": ("athen athens", ""),
    "kyiv": ("kyiv kiew kiev", ""),
    "milan": ("mailand milan", ""),
    "tokyo": ("tokio tokyo", ""),
    "beijing": ("peking beijing", ""),
    "new-york": ("new-york", ""),
}
# a city or state is inside its country: an article naming it names the country too ("Brandenburg")
_INSIDE = {
    "germany": """baden-württemberg bavaria brandenburg hesse mecklenburg lower-saxony north-rhine-westphalia
    rhineland-palatinate saarland saxony saxony-anhalt schleswig-holstein thuringia munich cologne nuremberg
    hanover berlin hamburg frankfurt stuttgart düsseldorf leipzig dortmund bremen dresden duisburg bochum
    wuppertal bielefeld bonn münster mannheim karlsruhe augsburg wiesbaden mönchengladbach gelsenkirchen aachen
    braunschweig kiel chemnitz magdeburg freiburg krefeld mainz lübeck erfurt oberhausen rostock kassel
    potsdam saarbrücken ludwigshafen oldenburg osnabrück leverkusen heidelberg darmstadt solingen regensburg
    paderborn ingolstadt offenbach würzburg heilbronn pforzheim wolfsburg göttingen reutlingen koblenz
    bremerhaven erlangen trier jena cottbus schwerin konstanz lüneburg zwickau""",
    "uk": """london manchester birmingham liverpool leeds glasgow edinburgh bristol sheffield newcastle cardiff
    belfast nottingham leicester coventry bradford southampton portsmouth oxford cambridge norwich brighton
    aberdeen""",
    "switzerland": "zurich geneva basel bern",
    "austria": "vienna graz salzburg linz innsbruck",
    "france": "paris lyon marseille",
    "spain": "madrid barcelona",
    "italy": "rome milan",
    "us": "new-york chicago washington boston",
    "russia": "moscow",
    "poland": "warsaw",
    "czechia": "prague",
    "belgium": "brussels",
    "ukraine": "kyiv",
    "netherlands": "amsterdam",
    "japan": "tokyo",
    "china": "beijing shanghai",
}
# cities whose name reads the same in both languages (none of them a common word of either)
_CITIES = (
    " ".join(place for country, inside in _INSIDE.items() for place in inside.split() if place not in _PLACES)
    + " lisbon stockholm oslo helsinki dublin budapest istanbul"
)


# German names a place's adjective with a capital ("die Schweizer Bahn", "der Heilbronner Heimsieg"):
# as much a place as its name. Most add -er to a city's name; these do not.
_CAPITALISED_ADJECTIVES = {"schweizer": "switzerland", "dresdner": "dresden", "münchner": "munich", "zürcher": "zurich"}


def _table() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(name -> key, adjective stem -> key, city or state -> its country's key)."""
    cities = {city: city for city in _CITIES.split()}
    names = cities | {f"{city}er": city for city in cities if "-" not in city} | _CAPITALISED_ADJECTIVES
    stems: dict[str, str] = {}
    for key, (words, adjectives) in _PLACES.items():
        for word in words.split():
            names[word] = names[word.replace("-", " ")] = key  # "Sachsen-Anhalt"; "united kingdom"
        stems.update(dict.fromkeys(adjectives.split(), key))
    inside = {place: country for country, places in _INSIDE.items() for place in places.split()}
    return names, stems, inside


_NAMES, _STEM_KEY, _COUNTRY = _table()
# an adjective stem at the start of a word, any ending ("deutsch" in "Deutschen", "britisch" in "britischen")
_STEM = re.compile(r"\b(" + "|".join(sorted(_STEM_KEY, key=len, reverse=True)) + ")")
_WORD = re.compile(r"[^\W\d_]+(?:[-.][^\W\d_]+)*\.?", re.UNICODE)


# the first words of names of several words ("united", "new"), and the most words a name has
_FIRST_WORDS = frozenset(name.split()[0] for name in _NAMES if " " in name)
_LONGEST = max(name.count(" ") + 1 for name in _NAMES)


def places(text: str, capitalised: bool = True) -> frozenset[str]:
    """The keys of the places the text names ("in der Schweiz" -> {"switzerland"}; "US-Notenbank" -> {"us"}).

    As a question names them (`capitalised`): a name with a capital letter ("a turkey farm", "polish the
    floor", "tell us" name none) or a German city's adjective ("die Londoner U-Bahn"), not another
    adjective ("in English", "a German ruler" name a language or a people as often as a country). As an
    article mentions them (`capitalised` False): also in lower case, its adjectives in either language
    ("die britischen Haushalte"), and the country of a city or state it names ("Brandenburg" mentions
    Germany)."""
    typed = [w.rstrip(".") for w in _WORD.findall(text)]
    # each word, and the parts of a compound ("US-Notenbank", "Sachsen-Anhalt"): one lookup a word
    words = [p for word in typed for p in ([word, *word.split("-")] if "-" in word else [word])]
    found = {"us"} if "US" in words else set()
    lowered = [w.lower() for w in words]
    for i, word in enumerate(lowered):
        if capitalised and not words[i][:1].isupper():
            continue
        if word in _NAMES:
            found.add(_NAMES[word])
        if word in _FIRST_WORDS:
            for size in range(2, _LONGEST + 1):
                phrase = " ".join(lowered[i : i + size])
                if phrase in _NAMES:
                    found.add(_NAMES[phrase])
    if capitalised:
        return frozenset(found)
    found.update(_STEM_KEY[m.group(1)] for m in _STEM.finditer(text.lower()))
    return frozenset(found | {_COUNTRY[key] for key in found if key in _COUNTRY})


def place_words(text: str) -> list[str]:
    """The words of `text` that name a place each on their own, as typed ("München", "Heilbronner")."""
    return [word for word in _WORD.findall(text) if places(word)]
