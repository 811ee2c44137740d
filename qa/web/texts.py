"""The page's fixed texts in German and English; an answer's texts follow its question's language."""

TEXTS = {
    "en": {
        "title": "Ask the news",
        "intro": "Ask a question in German or English about the articles; a follow-up may build on the last question.",
        "placeholder": "Your question, e.g. Who takes part only virtually?",
        "label": "Your question",
        "send": "Ask",
        "you": "You",
        "assistant": "Answer",
        "understood": "Understood as",
        "no_answer": "No matching passage: the articles do not seem to answer this question.",
        "score": "score",
        "undated": "undated",
        "busy": "Searching…",
        "error": "Error",
        "server_down": "The server cannot be reached. Please check the connection and try again.",
        "empty": "Please type a question.",
        "too_long": "The question is longer than {limit} characters.",
        "new": "New conversation",
        "passages": "Passages",
        "article": "Article",
        "back": "Back to the questions",
        "passage": "Passage",
    },
    "de": {
        "title": "Frag die Nachrichten",
        "intro": "Stellen Sie eine Frage auf Deutsch oder Englisch zu den Artikeln; Nachfragen dürfen sich auf die "
        "letzte Frage beziehen.",
        "placeholder": "Ihre Frage, z. B. Wer nimmt nur virtuell teil?",
        "label": "Ihre Frage",
        "send": "Fragen",
        "you": "Sie",
        "assistant": "Antwort",
        "understood": "Verstanden als",
        "no_answer": "Keine passende Stelle: Die Artikel scheinen diese Frage nicht zu beantworten.",
        "score": "Wert",
        "undated": "ohne Datum",
        "busy": "Suche läuft…",
        "error": "Fehler",
        "server_down": "Der Server ist nicht erreichbar. Bitte die Verbindung prüfen und erneut versuchen.",
        "empty": "Bitte geben Sie eine Frage ein.",
        "too_long": "Die Frage ist länger als {limit} Zeichen.",
        "new": "Neues Gespräch",
        "passages": "Fundstellen",
        "article": "Artikel",
        "back": "Zurück zu den Fragen",
        "passage": "Abschnitt",
    },
}


def texts_for(language: str) -> dict:
    return TEXTS.get(language, TEXTS["en"])
