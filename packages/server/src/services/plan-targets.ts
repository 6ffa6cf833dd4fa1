/**
 * The target references of a plan as a caller writes it — each step's `target` and `policy.fallback`, in loops too —
 * read and replaced in one walk: the orchestrations scope them to the project, the plan templates check their plan
 * with a stand-in for each.
 */
import type { ProblemField } from '../errors/http-problem.js';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A target reference by capability (`{ capability: … }`), which the server does not route. */
export function isCapabilityRef(ref: unknown): boolean {
  return isRecord(ref) && ref.capability !== undefined;
}

export function capabilityProblem(path: string): ProblemField {
  return {
    path,
    code: 'unsupported',
    message: 'the server routes by service name; capability references are not supported',
  };
}

/** The service a target reference names (`"weather"`, `"weather@2"`, `{ name, version }`), if it names one. */
export function serviceRefOf(ref: unknown): { name: string; version: string | undefined } | undefined {
  let name: string | undefined;
  let version: string | undefined;
  if (typeof ref === 'string') {
    const at = ref.indexOf('@');
    name = at === -1 ? ref : ref.slice(0, at);
    version = at === -1 ? undefined : ref.slice(at + 1);
  } else if (isRecord(ref)) {
    name = typeof ref.name === 'string' ? ref.name : undefined;
    version = typeof ref.version === 'string' ? ref.version : undefined;
  }
  return name === undefined || name === '' ? undefined : { name, version };
}

/**
 * `plan` with every target reference (each step's `target` and `policy.fallback`, in loops too) replaced by what
 * `map` gives for it, called with the reference and its path (under `path`).
 */
export async function mapPlanTargets(
  plan: Json,
  path: string,
  map: (ref: unknown, path: string) => Promise<unknown>,
): Promise<Json> {
  const mapSteps = async (steps: unknown, at: string): Promise<unknown> => {
    if (!Array.isArray(steps)) return steps;
    const out: unknown[] = [];
    for (const [index, step] of steps.entries()) out.push(await mapStep(step, `${at}[${index}]`));
    return out;
  };
  const mapStep = async (step: unknown, at: string): Promise<unknown> => {
    if (!isRecord(step)) return step;
    const copy: Json = { ...step };
    if (copy.target !== undefined) copy.target = await map(copy.target, `${at}.target`);
    if (isRecord(copy.policy) && copy.policy.fallback !== undefined) {
      const fallback = copy.policy.fallback;
      copy.policy = {
        ...copy.policy,
        fallback: Array.isArray(fallback)
          ? await Promise.all(fallback.map((ref, index) => map(ref, `${at}.policy.fallback[${index}]`)))
          : await map(fallback, `${at}.policy.fallback`),
      };
    }
    if (isRecord(copy.loop)) copy.loop = { ...copy.loop, steps: await mapSteps(copy.loop.steps, `${at}.loop.steps`) };
    return copy;
  };
  return { ...plan, steps: await mapSteps(plan.steps, `${path}${path === '' ? '' : '.'}steps`) };
}
