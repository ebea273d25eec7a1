"""Label sets: the SemEval-2023 Task 3 persuasion techniques (23), frames (14) and genres."""

TECHNIQUES = (
    "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice", "Flag_Waving",
    "Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification", "Straw_Man",
    "Red_Herring", "Whataboutism", "Slogans", "Appeal_to_Time", "Conversation_Killer", "Loaded_Language",
    "Repetition", "Exaggeration-Minimisation", "Obfuscation-Vagueness-Confusion", "Name_Calling-Labeling", "Doubt",
    "Guilt_by_Association", "Appeal_to_Hypocrisy", "Questioning_the_Reputation",
)  # fmt: skip

FRAMES = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation", "Crime_and_punishment",
    "Security_and_defense", "Health_and_safety", "Quality_of_life", "Cultural_identity", "Public_opinion",
    "Political", "External_regulation_and_reputation",
)  # fmt: skip

GENRES = ("opinion", "reporting", "satire")

# One line each, written for PressLens.
DEFINITIONS = {
    "Appeal_to_Authority": "Treats a claim as true because an authority or expert is said to back it.",
    "Appeal_to_Popularity": "Argues a claim is right because many people (or 'everyone') accept it.",
    "Appeal_to_Values": "Ties an idea to values the audience holds dear (freedom, tradition, faith) instead of evidence.",
    "Appeal_to_Fear-Prejudice": "Builds support by stoking fear of an outcome or prejudice against a group.",
    "Flag_Waving": "Appeals to national or group pride to justify an action or idea.",
    "Causal_Oversimplification": "Gives a single cause to an outcome that has many.",
    "False_Dilemma-No_Choice": "Presents two options as the only ones when more exist.",
    "Consequential_Oversimplification": "Claims one step will inevitably lead to a chain of (usually bad) consequences.",
    "Straw_Man": "Refutes a distorted version of the opponent's position instead of the real one.",
    "Red_Herring": "Diverts attention to an irrelevant topic.",
    "Whataboutism": "Deflects criticism by pointing at the critic's own (alleged) wrongdoing.",
    "Slogans": "A brief, striking phrase that stands in for an argument.",
    "Appeal_to_Time": "Claims the time to act is now, pressing for a decision without deliberation.",
    "Conversation_Killer": "A phrase that discourages further thought or discussion.",
    "Loaded_Language": "Words with strong emotional connotations used to sway the reader.",
    "Repetition": "Repeats the same message or phrase to make it stick.",
    "Exaggeration-Minimisation": "Makes something seem far bigger, or far smaller, than it is.",
    "Obfuscation-Vagueness-Confusion": "Uses deliberately unclear wording so the audience reads in its own meaning.",
    "Name_Calling-Labeling": "Labels a person or group with a term meant to provoke contempt or admiration.",
    "Doubt": "Questions the credibility of someone or something without substantiation.",
    "Guilt_by_Association": "Discredits a target by linking it to a group or person the audience dislikes.",
    "Appeal_to_Hypocrisy": "Attacks the target as a hypocrite instead of answering the argument.",
    "Questioning_the_Reputation": "Attacks the character or standing of the target rather than the argument.",
}
