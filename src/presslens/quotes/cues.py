"""Verbs and phrases that introduce speech (written for PressLens)."""

# fmt: off
# Verbs that introduce quoted words only: "Trump slammed the decision as 'a disaster'".
_QUOTE_ONLY = frozenset({
    "begin", "blame", "blast", "brag", "brand", "call", "characterise", "characterize", "concur", "counter",
    "criticise", "criticize", "cry", "decry", "describe", "disagree", "dismiss", "dub", "fire", "go",
    "hail", "interject", "interrupt", "joke", "label", "lament", "laugh", "murmur", "mutter", "offer",
    "plead", "point", "praise", "quip", "reassure", "recount", "reject", "retort", "rip", "scoff",
    "scream", "shout", "slam", "tout", "whisper", "yell",
})

# Verbs whose reported content may also be a clause without quotation marks: "X said (that) …".
REPORTING_VERBS = frozenset({
    "accuse", "acknowledge", "add", "admit", "advise", "agree", "allege", "announce", "answer", "argue",
    "ask", "assert", "assure", "boast", "caution", "charge", "claim", "comment", "complain", "concede",
    "conclude", "confirm", "contend", "continue", "declare", "demand", "deny", "disclose", "emphasise", "emphasize",
    "estimate", "explain", "find", "indicate", "inquire", "insist", "instruct", "maintain", "mention", "note",
    "observe", "order", "pledge", "post", "predict", "proclaim", "promise", "question", "recall", "reiterate",
    "remark", "repeat", "reply", "report", "respond", "reveal", "say", "show", "signal", "state",
    "stress", "suggest", "tell", "testify", "threaten", "tweet", "urge", "vow", "warn", "wonder",
    "write",
})
# fmt: on

# Lemmas of verbs that introduce direct or reported speech.
SPEECH_VERBS = REPORTING_VERBS | _QUOTE_ONLY

# Verbs that introduce speech only with quotation marks or a clear complement ("go" as in "he goes").
WEAK_VERBS = frozenset({"begin", "blast", "call", "cry", "fire", "go", "laugh", "offer", "point", "rip", "slam"})

PRONOUNS_PERSON = {"he": "m", "him": "m", "she": "f", "her": "f"}
PRONOUNS_GROUP = {"they", "them"}
NON_REFERENTIAL = {"which", "one", "anything", "that", "what", "something", "it", "this", "nothing", "there"}
