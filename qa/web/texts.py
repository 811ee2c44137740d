"""The page's fixed texts in German and English; an answer's texts follow its question's language."""

TEXTS = {
    "en": {
        "title": "Ask the news",
        "intro": "Ask a question in German or English about the articles.",
        "placeholder": "Your question, e.g. Who takes part only virtually?",
        "send": "Ask",
        "you": "You",
        "assistant": "Answer",
        "no_answer": "No matching passage: the articles do not seem to answer this question.",
        "score": "score",
        "undated": "undated",
        "busy": "Searching…",
        "error": "Error",
        "server_down": "The server cannot be reached. Please try again.",
        "new": "New conversation",
    },
    "de": {
        "title": "Frag die Nachrichten",
        "intro": "Stellen Sie eine Frage auf Deutsch oder Englisch zu den Artikeln.",
        "placeholder": "Ihre Frage, z. B. Wer nimmt nur virtuell teil?",
        "send": "Fragen",
        "you": "Sie",
        "assistant": "Antwort",
        "no_answer": "Keine passende Stelle: Die Artikel scheinen diese Frage nicht zu beantworten.",
        "score": "Wert",
        "undated": "ohne Datum",
        "busy": "Suche läuft…",
        "error": "Fehler",
        "server_down": "Der Server ist nicht erreichbar. Bitte später erneut versuchen.",
        "new": "Neues Gespräch",
    },
}


def texts_for(language: str) -> dict:
    return TEXTS.get(language, TEXTS["en"])
