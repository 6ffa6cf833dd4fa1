/**
 * Services of different projects share one engine registry, so each is registered under a name scoped by its project:
 * `prj-3k9x….weather`. Plans name services plainly; the server scopes them on the way in and unscopes them on the way
 * out, so callers never see the scoped names.
 */
export function projectScope(projectId: string): string {
  return `${projectId.replace(/_/g, '-')}.`;
}

export function scopedTargetName(projectId: string, serviceName: string): string {
  return `${projectScope(projectId)}${serviceName}`;
}

/** Replaces every scoped name of `projectId` in `text` by the plain service name. */
export function unscopeText(projectId: string, text: string): string {
  return text.split(projectScope(projectId)).join('');
}

/** `prj-x.weather@3.0.0` → `weather@3`: the service name and its revision, as the API shows them. */
export function displayTarget(projectId: string, target: string | undefined): string | null {
  if (target === undefined) return null;
  return shortRevision(unscopeText(projectId, target));
}

/** `weather@3.0.0` → `weather@3`: a service's revision is the major of its registry version. */
function shortRevision(name: string): string {
  return name.replace(/@(\d+)\.0\.0$/, '@$1');
}

export function revisionVersion(revision: number): string {
  return `${revision}.0.0`;
}

/**
 * `prj-x.weather@3.0.0` → `weather@3`: the label of a step's service in `/metrics`, which is the operator's, not a
 * project's: it carries no project id (the same service name in two projects is one series).
 */
export function metricsServiceLabel(target: string | undefined): string {
  if (target === undefined) return 'none';
  const dot = target.indexOf('.');
  return shortRevision(dot >= 0 && target.startsWith('prj-') ? target.slice(dot + 1) : target);
}
