"""Verbs and phrases that introduce speech (written for PressLens)."""

# Lemmas of verbs that introduce direct or reported speech.
SPEECH_VERBS = frozenset(
    """say tell add continue state declare announce explain note observe remark mention comment write tweet post
    warn insist claim argue assert contend maintain stress emphasize emphasise reiterate repeat acknowledge admit
    concede confirm deny reject dismiss accuse charge allege blame criticize criticise praise ask question wonder
    inquire demand urge call plead reply respond answer retort counter conclude recall suggest predict promise
    vow pledge threaten caution complain lament boast brag joke quip scoff laugh shout yell scream cry whisper
    mutter murmur testify report disclose reveal estimate indicate signal argue point agree disagree concur
    recount describe characterize characterise label dub brand proclaim assure reassure tout hail decry slam
    blast rip fire slam interject interrupt begin offer go show find order instruct advise""".split()
)

# Verbs whose reported content is a that-clause or similar; the others need quotation marks.
REPORTING_VERBS = frozenset(
    """say tell add continue state declare announce explain note observe remark mention comment write tweet post
    warn insist claim argue assert contend maintain stress emphasize emphasise reiterate repeat acknowledge admit
    concede confirm deny accuse charge allege ask question wonder inquire demand urge reply respond answer
    conclude recall suggest predict promise vow pledge threaten caution complain boast testify report disclose
    reveal estimate indicate signal agree assure proclaim show find order instruct advise""".split()
)

# Verbs that introduce speech only with quotation marks or a clear complement ("go" as in "he goes").
WEAK_VERBS = frozenset({"go", "begin", "offer", "fire", "rip", "blast", "slam", "laugh", "cry", "call", "point"})

PRONOUNS_PERSON = {"he": "m", "him": "m", "she": "f", "her": "f"}
PRONOUNS_GROUP = {"they", "them"}
PRONOUNS_SELF = {"i", "we", "me", "us", "you"}
NON_REFERENTIAL = {"it", "this", "that", "which", "there", "what", "something", "anything", "nothing", "one"}
