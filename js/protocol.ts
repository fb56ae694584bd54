// The card's kernel ⇄ front-end contract, as TypeScript types. docs/card-protocol.md is the source
// of truth; every text marked untrusted here is model or tool output and is only ever rendered as text
// (or as sanitized markdown).

export type RunStatus =
  | "queued"
  | "in_progress"
  | "requires_action"
  | "cancelling"
  | "cancelled"
  | "failed"
  | "completed"
  | "incomplete"
  | "expired";

export type StepStatus = "in_progress" | "cancelled" | "failed" | "completed" | "expired";

export interface Usage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
}

export interface ErrorView {
  code?: string | null;
  message?: string | null; // untrusted
}

export interface ToolCallRequest {
  id: string;
  name: string; // untrusted
  arguments: string; // untrusted JSON text, capped
  truncated?: boolean;
}

export interface RunView {
  id: string;
  thread_id?: string | null;
  assistant_id?: string | null;
  status: RunStatus | string;
  model?: string | null;
  created_at?: number | null;
  started_at?: number | null;
  completed_at?: number | null;
  failed_at?: number | null;
  cancelled_at?: number | null;
  expires_at?: number | null;
  usage?: Usage | null;
  last_error?: ErrorView | null;
  incomplete_details?: { reason?: string | null } | null;
  required_action?: ToolCallRequest[] | null;
  failed_step_id?: string | null;
  instructions?: string | null;
  metadata?: Record<string, string> | null;
  temperature?: number | null;
  top_p?: number | null;
  tools?: string[] | null;
}

// data_url: the file's bytes, inlined by a kernel that could fetch them (png, jpeg, gif, webp only);
// note: why it was not inlined (short, untrusted text).
export type ImageRef = { file_id?: string; url?: string; data_url?: string; note?: string };

export interface MessageView {
  id: string;
  role?: string;
  status?: string;
  text: string; // markdown, untrusted, capped
  images?: ImageRef[] | null;
  incomplete_reason?: string | null;
}

export interface FileSearchResultView {
  file_id?: string;
  file_name?: string; // untrusted
  score?: number | null;
  content?: string | null; // untrusted, capped
}

export interface ToolCallView {
  id: string;
  type: string;
  index?: number;
  // function
  name?: string; // untrusted
  arguments?: string; // untrusted, capped
  output?: string | null; // untrusted, capped
  // code_interpreter
  input?: string;
  logs?: string;
  images?: ImageRef[] | null;
  // file_search
  results?: FileSearchResultView[] | null;
  ranking_options?: Record<string, unknown> | null;
  // any other type
  raw?: string;
}

export interface StepView {
  id: string;
  type: "message_creation" | "tool_calls" | string;
  status: StepStatus | string;
  created_at?: number | null;
  completed_at?: number | null;
  failed_at?: number | null;
  cancelled_at?: number | null;
  expired_at?: number | null;
  usage?: Usage | null;
  last_error?: ErrorView | null;
  title?: string; // untrusted
  message?: MessageView | null;
  tool_calls?: ToolCallView[] | null;
  truncated?: boolean;
}

export interface NoticeView {
  kind: "error" | "info" | string;
  text: string;
}

export interface Caps {
  text: number;
  json: number;
}

/** The synced traits (plus `readonly`, which only kernel-less hosts set). */
export interface CardTraits {
  protocol: number;
  seq: number;
  run: RunView | null;
  steps: StepView[];
  following: boolean;
  notice: NoticeView | null;
  python_tools: string[];
  auto_tools: boolean;
  caps: Caps;
  readonly?: boolean;
}

/**
 * New characters of a running step's text (docs/card-protocol.md, "Live texts"): the text at `part`
 * (a JSON Pointer into the step's view: `/message/text`, `/tool_calls/<i>/arguments|input|logs`)
 * becomes its first `at` characters followed by `text`. Untrusted.
 */
export interface TextAppend {
  step_id: string;
  part: string;
  at: number;
  text: string;
}

export interface PatchMessage {
  type: "patch";
  seq: number;
  run?: RunView | null;
  steps?: StepView[];
  order?: string[];
  /** Applied after `steps` and `order`. */
  appends?: TextAppend[];
}

export interface SnapshotMessage {
  type: "snapshot";
  seq: number;
  run: RunView | null;
  steps: StepView[];
  following?: boolean;
  notice?: NoticeView | null;
}

export interface Ack {
  type: "ack";
  req_id: string;
  ok: boolean;
  error?: string;
  // request-specific
  outputs?: Record<string, string>;
  step?: StepView;
  json?: string;
  /** Set by the front end when no ack came in time (never sent by the kernel). */
  timeout?: boolean;
}

export type KernelMessage = PatchMessage | SnapshotMessage | Ack;

export const ACTIVE_RUN_STATUSES: ReadonlySet<string> = new Set([
  "queued",
  "in_progress",
  "requires_action",
  "cancelling",
]);

export const CANCELLABLE_RUN_STATUSES: ReadonlySet<string> = new Set([
  "queued",
  "in_progress",
  "requires_action",
]);

export function stepEnd(step: StepView): number | null {
  return step.completed_at ?? step.failed_at ?? step.cancelled_at ?? step.expired_at ?? null;
}

export function runEnd(run: RunView): number | null {
  return run.completed_at ?? run.failed_at ?? run.cancelled_at ?? null;
}
