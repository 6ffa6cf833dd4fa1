/**
 * Approvals and failed compensations, seen through a project: the engine keeps them for every run, so each is shown
 * or decided only when its run belongs to an orchestration of the caller's project (otherwise: not found). A decision
 * the state no longer allows (decided already, expired, run finished) is a 409.
 */
import type { Engine, FailedCompensation, StoredApproval } from '@baton/core';
import { BatonError, ValidationError } from '@baton/core';
import type { Approval, CompensationFailure } from '@baton/protocol';
import { conflict, notFound } from '../errors/http-problem.js';
import { orchestrationIdOf } from '../services/remote-target.js';
import { displayTarget } from '../services/target-name.js';
import type { DecisionFilter, DecisionPage, DecisionQueries } from './decision-queries.js';
import { unscoped } from './orchestration-view.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ProjectDecisions {
  constructor(
    private readonly engine: Engine,
    private readonly queries: DecisionQueries,
  ) {}

  async approvals(
    projectId: string,
    filter: DecisionFilter<StoredApproval['status']>,
  ): Promise<DecisionPage<Approval>> {
    const page = await this.queries.approvals(projectId, filter);
    return { items: page.items.map((approval) => this.approvalView(projectId, approval)), nextCursor: page.nextCursor };
  }

  async approve(projectId: string, id: string, data: unknown): Promise<Approval> {
    return this.decide(projectId, id, () => this.engine.approve(id, data));
  }

  async reject(projectId: string, id: string, reason: string): Promise<Approval> {
    return this.decide(projectId, id, () => this.engine.reject(id, reason));
  }

  async compensationFailures(
    projectId: string,
    filter: DecisionFilter<FailedCompensation['status']>,
  ): Promise<DecisionPage<CompensationFailure>> {
    const page = await this.queries.compensationFailures(projectId, filter);
    return { items: page.items.map((entry) => this.compensationView(projectId, entry)), nextCursor: page.nextCursor };
  }

  async closeCompensation(
    projectId: string,
    id: string,
    status: 'resolved' | 'ignored',
    reason: string,
  ): Promise<CompensationFailure> {
    const entry = await this.queries.compensationFailure(projectId, id);
    if (entry === undefined) throw notFound('compensation failure', id);
    if (entry.status !== 'open')
      throw conflict('compensation-closed', `compensation failure "${id}" is ${entry.status} already`);
    await this.engine.closeFailedCompensation(id, status, reason);
    return this.compensationView(projectId, (await this.queries.compensationFailure(projectId, id)) ?? entry);
  }

  private async decide(projectId: string, id: string, decide: () => Promise<void>): Promise<Approval> {
    const approval = await this.queries.approval(projectId, id);
    if (approval === undefined) throw notFound('approval', id);
    try {
      await decide();
    } catch (error) {
      if (ValidationError.isInstance(error) || (BatonError.isInstance(error) && error.code === 'approval-expired')) {
        throw conflict('approval-decided', (error as Error).message);
      }
      throw error;
    }
    return this.approvalView(projectId, (await this.queries.approval(projectId, id)) ?? approval);
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
