"""Small word lists the entity and resolution rules rely on (written for PressLens)."""

KEPT_TYPES = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"}

HONORIFICS_MALE = {"mr", "mr.", "sir", "lord", "king", "prince", "father", "brother"}
HONORIFICS_FEMALE = {"mrs", "mrs.", "ms", "ms.", "miss", "madam", "lady", "queen", "princess", "dame", "sister"}
TITLES = HONORIFICS_MALE | HONORIFICS_FEMALE | {
    "dr", "dr.", "prof", "prof.", "president", "vice", "sen", "sen.", "senator", "rep", "rep.",
    "gov", "gov.", "governor", "gen", "gen.", "general", "col", "col.", "lt", "lt.", "capt", "capt.",
    "secretary", "minister", "chancellor", "prime", "premier", "judge", "justice", "mayor", "pope",
    "rev", "rev.", "reverend", "ambassador", "speaker", "chairman", "chairwoman", "leader", "sheikh",
    "st", "st.", "adm", "adm.", "sgt", "sgt.", "maj", "maj.", "attorney", "deputy", "former", "foreign",
    "defense", "defence", "state", "chief", "spokesman", "spokeswoman", "spokesperson",
}
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}

# First names whose gender is unambiguous enough to guide pronoun resolution.
MALE_NAMES = set(
    """adam alan alex alexander alexei andrew anthony antony barack ben benjamin bernie bill bob boris brian
    charles chris christopher chuck dan daniel david dick dmitry don donald doug douglas ed edward emmanuel eric
    frank fred gary george gordon greg harry henry ian igor jack jacob jake james jared jason jeb jeff jeffrey
    jeremy jim jimmy joe john jon jonathan jose joseph josh juan justin keir kevin kim larry lindsey marco mark
    matt matthew michael mike mitch mohammed muhammad narendra nicholas nick olaf paul pete peter ralph recep
    richard rick robert ron ronald rudy rudolph sam samuel scott sergei sergey stephen steve steven ted thomas tim
    timothy tom tony viktor vladimir volodymyr walter william xi yuri carlos frank osei hans klaus luis miguel pablo
    ahmed ali omar hassan andrzej jan lars olav""".split()
)
FEMALE_NAMES = set(
    """alexandria amy angela ann anna anne barbara betsy betty carly caroline catherine chelsea christine claire
    condoleezza debbie diane donna elizabeth ella emily emma giorgia hillary ivanka jane janet jen jennifer jill
    jo joan julia julie karen kamala kate katherine kathleen kellyanne laura linda lisa liz loretta lucy
    margaret maria marine mary melania michelle nancy nicola nikki olivia pamela patricia rachel samantha sarah
    sheryl stephanie susan suzanne theresa tulsi ursula valerie victoria lena helen anna maria sofia ingrid greta
    fatima aisha olena yulia natalia irina svetlana""".split()
)

# Spellings that name the same place or body.
ALIASES = {
    "us": "united states", "u.s.": "united states", "u.s.a.": "united states", "usa": "united states",
    "america": "united states", "the united states": "united states", "uk": "united kingdom",
    "u.k.": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "un": "united nations", "u.n.": "united nations", "eu": "european union", "e.u.": "european union",
}
