/** The syntax tree the parser builds and the compiler turns into closures. */
import type { PathSegment } from './types.js';

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | '+' | '-' | '*' | '/' | '%';
export type LogicalOperator = '&&' | '||';

export type Node =
  | { kind: 'literal'; value: unknown; position: number }
  | { kind: 'path'; path: readonly PathSegment[]; position: number }
  | { kind: 'array'; items: Node[]; position: number }
  | { kind: 'unary'; operator: '!' | '-'; operand: Node; position: number }
  | { kind: 'binary'; operator: BinaryOperator; left: Node; right: Node; position: number }
  | { kind: 'logical'; operator: LogicalOperator; left: Node; right: Node; position: number }
  | { kind: 'conditional'; test: Node; consequent: Node; alternate: Node; position: number }
  | { kind: 'call'; name: string; args: Node[]; position: number };
