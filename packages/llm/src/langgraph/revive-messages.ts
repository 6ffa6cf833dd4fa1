/**
 * Cached graph states hold LangChain messages in their serialized form (`{lc: 1, type: 'constructor', id, kwargs}`).
 * This turns them back into message instances with `@langchain/core/load`, and only when every serialized object is a
 * `langchain_core.messages` class: a cached value never instantiates anything else.
 */
interface Serialized {
  lc: number;
  type: string;
  id: string[];
}

function serializedObjects(value: unknown, found: Serialized[] = []): Serialized[] {
  if (Array.isArray(value)) for (const item of value) serializedObjects(item, found);
  else if (value && typeof value === 'object') {
    const candidate = value as Partial<Serialized>;
    if (candidate.lc === 1 && candidate.type === 'constructor' && Array.isArray(candidate.id)) {
      found.push(candidate as Serialized);
    } else for (const item of Object.values(value)) serializedObjects(item, found);
  }
  return found;
}

const isMessage = (serialized: Serialized) =>
  serialized.id.length === 3 && serialized.id[0] === 'langchain_core' && serialized.id[1] === 'messages';

export async function reviveMessages<T>(value: T): Promise<T> {
  const found = serializedObjects(value);
  if (found.length === 0 || !found.every(isMessage)) return value;
  const { load } = await import('@langchain/core/load');
  return load<T>(JSON.stringify(value));
}
