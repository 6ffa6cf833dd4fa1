/**
 * A project name the server has already: project names are unique on a server, so `POST /v1/projects` answers 409
 * `project-name-taken` naming it, and the admin picks another (or uses the project that has it).
 */
import { HttpProblem } from '../errors/http-problem.js';

export class ProjectNameTakenError extends HttpProblem {
  /** The name asked for, as stored (trimmed). */
  readonly projectName: string;

  constructor(projectName: string) {
    const shown = projectName.length > 100 ? `${projectName.slice(0, 100)}…` : projectName;
    super(
      409,
      'project-name-taken',
      'Conflict',
      `a project named "${shown}" exists already: choose another name (GET /v1/projects lists them)`,
    );
    this.name = 'ProjectNameTakenError';
    this.projectName = projectName;
  }

  static override isInstance(error: unknown): error is ProjectNameTakenError {
    return HttpProblem.isInstance(error) && error.code === 'project-name-taken';
  }
}
