/**
 * What `baton run agent.yaml` prints of its run: a line for each thing the agent does (`agentEventLine`), the text
 * its model writes as it arrives, then the answer — not printed twice when it was just streamed — and a summary on
 * stderr. With `--json`, every event as a JSON line and then `{ "type": "result", … }`.
 */
import type { RunEvent } from '@baton/core';
import type { AgentOutput } from '@baton/llm';
import type { Io } from '../io.js';
import { agentEventLine } from '../render/agent-event-line.js';

/** `$0.0123`; a cost under a hundredth of a cent keeps two significant digits (`$0.0000042`) rather than `$0.0000`. */
export function dollars(amount: number): string {
  if (amount === 0 || amount >= 0.0001) return `$${amount.toFixed(4)}`;
  return `$${amount.toFixed(Math.min(20, 1 - Math.floor(Math.log10(amount))))}`;
}

export class AgentPrinter {
  /** The text streamed since the last line printed; its line is still open. */
  #streamed = '';

  constructor(
    private readonly io: Io,
    private readonly runId: string,
    private readonly json: boolean,
  ) {}

  event(event: RunEvent): void {
    if (event.runId !== this.runId) return;
    if (this.json) {
      this.io.out(JSON.stringify(event));
      return;
    }
    if (event.type === 'text-delta') {
      this.#text(event.delta);
      return;
    }
    const line = agentEventLine(event);
    if (line === undefined) return;
    this.#endStreamedLine();
    this.io.out(line);
  }

  result(output: AgentOutput): void {
    if (this.json) {
      this.io.out(JSON.stringify({ type: 'result', runId: this.runId, ...output }));
      return;
    }
    const streamed = this.#streamed.trim() === output.text.trim() && output.text.trim() !== '';
    this.#endStreamedLine();
    if (!streamed) {
      this.io.out('');
      this.io.out(output.text);
    }
    const { usage } = output;
    const plural = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
    this.io.err(
      `${plural(output.steps, 'model call')}, ${plural(output.toolCalls.length, 'tool call')}, ` +
        `${usage.inputTokens + usage.outputTokens} tokens, ${dollars(usage.costUsd)} (run ${this.runId})`,
    );
  }

  /** Text goes out as it comes where the output takes pieces of a line; elsewhere the answer prints at the end. */
  #text(delta: string): void {
    const stdout = this.io.stdout;
    if (stdout === undefined) return;
    if (this.#streamed === '') stdout.write('\n');
    this.#streamed += delta;
    stdout.write(delta);
  }

  #endStreamedLine(): void {
    if (this.#streamed === '') return;
    if (!this.#streamed.endsWith('\n')) this.io.stdout?.write('\n');
    this.#streamed = '';
  }
}
