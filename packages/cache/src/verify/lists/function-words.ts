/**
 * Closed-class words: pronouns, determiners, quantifiers, prepositions, conjunctions, auxiliaries, question words
 * and negations. They carry the shape of a question ("flights to X" is not "flights from X", "all" is not "some",
 * "was" is not "will"), so they match only themselves — never a synonym, an inflection or a typo of another word.
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'we us our ours ourselves they them their theirs themselves one ones someone somebody something anyone anybody ' +
    'anything everyone everybody everything nobody nothing none no not never neither nor either both each every ' +
    'all some any most many much more less least few fewer several other another such same own this that these ' +
    'those what which who whom whose where when why how whether if than then there here ' +
    'to from in into onto on off at by for with without within of about above below under over between among ' +
    'through across along around before after during since until till toward towards against behind beyond ' +
    'near inside outside upon via per up down out ' +
    'and or but so because although though while unless as ' +
    'is are am was were be been being do does did done doing have has had having will would shall should can ' +
    'could may might must ought let'
  ).split(' '),
);
