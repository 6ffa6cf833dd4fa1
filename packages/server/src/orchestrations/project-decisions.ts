/**
 * Approvals and failed compensations, seen through a project: the engine keeps them for every run, so each is shown
 * or decided only when its run belongs to an orchestration of the caller's project (otherwise: not found). A decision
 * the state no longer allows (decided already, expired, run finished) is a 409.
 */
import type { Engine, FailedCompensation, RunStore, StoredApproval } from '@baton/core';
import { BatonError, ValidationError } from '@baton/core';
import type { Approval, CompensationFailure } from '@baton/protocol';
import { conflict, notFound } from '../errors/http-problem.js';
import { orchestrationIdOf } from '../services/remote-target.js';
import { displayTarget } from '../services/target-name.js';
import { unscoped } from './orchestration-view.js';
import type { Orchestrations } from './orchestrations.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ProjectDecisions {
  constructor(
    private readonly engine: Engine,
    private readonly store: RunStore,
    private readonly orchestrations: Orchestrations,
  ) {}

  async approvals(projectId: string, status: StoredApproval['status'] | undefined): Promise<Approval[]> {
    // The stored approvals, as `GET` of one shows them: a decided one with its decision and when it was made.
    const all = await this.store.listApprovals(status === undefined ? {} : { status });
    const mine = await this.ownedRuns(
      projectId,
      all.map((approval) => approval.runId),
    );
    return all.filter((approval) => mine.has(approval.runId)).map((approval) => this.approvalView(projectId, approval));
  }

  async approve(projectId: string, id: string, data: unknown): Promise<Approval> {
    return this.decide(projectId, id, () => this.engine.approve(id, data));
  }

  async reject(projectId: string, id: string, reason: string): Promise<Approval> {
    return this.decide(projectId, id, () => this.engine.reject(id, reason));
  }

  async compensationFailures(
    projectId: string,
    status: FailedCompensation['status'] | undefined,
  ): Promise<CompensationFailure[]> {
    const all = await this.engine.failedCompensations(status === undefined ? {} : { status });
    const mine = await this.ownedRuns(
      projectId,
      all.map((entry) => entry.runId),
    );
    return all.filter((entry) => mine.has(entry.runId)).map((entry) => this.compensationView(projectId, entry));
  }

  async closeCompensation(
    projectId: string,
    id: string,
    status: 'resolved' | 'ignored',
    reason: string,
  ): Promise<CompensationFailure> {
    const entry = (await this.store.listFailedCompensations()).find((candidate) => candidate.id === id);
    if (entry === undefined || !(await this.ownedRuns(projectId, [entry.runId])).has(entry.runId)) {
      throw notFound('compensation failure', id);
    }
    if (entry.status !== 'open')
      throw conflict('compensation-closed', `compensation failure "${id}" is ${entry.status} already`);
    await this.engine.closeFailedCompensation(id, status, reason);
    const closed = (await this.store.listFailedCompensations({ runId: entry.runId })).find(
      (candidate) => candidate.id === id,
    );
    return this.compensationView(projectId, closed ?? entry);
  }

  private async decide(projectId: string, id: string, decide: () => Promise<void>): Promise<Approval> {
    const approval = await this.store.getApproval(id);
    if (approval === undefined || !(await this.ownedRuns(projectId, [approval.runId])).has(approval.runId)) {
      throw notFound('approval', id);
    }
    try {
      await decide();
    } catch (error) {
      if (ValidationError.isInstance(error) || (BatonError.isInstance(error) && error.code === 'approval-expired')) {
        throw conflict('approval-decided', (error as Error).message);
      }
      throw error;
    }
    return this.approvalView(projectId, (await this.store.getApproval(id)) ?? approval);
  }

  /** Which of `runIds` are runs of the project's orchestrations (a sub-run's id starts with its orchestration's). */
  private async ownedRuns(projectId: string, runIds: readonly string[]): Promise<Set<string>> {
    const orchestrations = await this.orchestrations.idsInProject(projectId, runIds.map(orchestrationIdOf));
    return new Set(runIds.filter((runId) => orchestrations.has(orchestrationIdOf(runId))));
  }

  private approvalView(projectId: string, approval: StoredApproval): Approval {
    return {
      id: approval.id,
      orchestrationId: orchestrationIdOf(approval.runId),
      stepId: approval.stepKey,
      prompt: unscoped(projectId, approval.prompt),
      data: approval.data,
      status: approval.status,
      ...(approval.decidedAt === null ? {} : { decision: approval.decision ?? null }),
      decidedAt: iso(approval.decidedAt),
      expiresAt: iso(approval.expiresAt),
    };
  }

  private compensationView(projectId: string, entry: FailedCompensation): CompensationFailure {
    return {
      id: entry.id,
      orchestrationId: orchestrationIdOf(entry.runId),
      stepId: entry.stepKey,
      service: displayTarget(projectId, entry.target) ?? entry.target,
      error: unscoped(projectId, entry.error),
      status: entry.status,
      reason: entry.reason,
      createdAt: iso(entry.createdAt) as string,
      updatedAt: iso(entry.updatedAt) as string,
    };
  }
}
