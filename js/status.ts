// Words and icons for run and step statuses. Colours live in the CSS (`[data-status=...]`).

export interface StatusLook {
  word: string;
  icon: string;
}

const LOOKS: Record<string, StatusLook> = {
  queued: { word: "Queued", icon: "clock" },
  in_progress: { word: "In progress", icon: "spinner" },
  requires_action: { word: "Requires action", icon: "pause" },
  cancelling: { word: "Cancelling", icon: "stop" },
  cancelled: { word: "Cancelled", icon: "slash" },
  failed: { word: "Failed", icon: "x" },
  completed: { word: "Completed", icon: "check" },
  incomplete: { word: "Incomplete", icon: "half" },
  expired: { word: "Expired", icon: "hourglass" },
};

export function statusLook(status: string): StatusLook {
  return LOOKS[status] ?? { word: status.replace(/_/g, " ") || "unknown", icon: "dot" };
}

/** A class-safe status value for `data-status` (unknown statuses share one look). */
export function statusKey(status: string): string {
  return status in LOOKS ? status : "unknown";
}

export interface TypeLook {
  word: string;
  icon: string;
}

/** The icon and word for a step, from its type and (for tool calls) the first call's type. */
export function stepTypeLook(type: string, firstCallType?: string): TypeLook {
  if (type === "message_creation") return { word: "Message", icon: "message" };
  if (type === "tool_calls") {
    if (firstCallType === "code_interpreter") return { word: "Code interpreter", icon: "terminal" };
    if (firstCallType === "file_search") return { word: "File search", icon: "search" };
    if (firstCallType === "function" || firstCallType === undefined) return { word: "Function call", icon: "braces" };
    return { word: "Tool call", icon: "tool" };
  }
  return { word: type.replace(/_/g, " ") || "step", icon: "dot" };
}
