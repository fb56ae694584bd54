// A card-level message from the kernel ("the stream dropped, polling").

import type { NoticeView } from "../protocol";

export function Notice({ notice }: { notice: NoticeView }) {
  const error = notice.kind === "error";
  return (
    <div class={`rw-notice ${error ? "rw-notice-error" : "rw-notice-info"}`} role={error ? "alert" : "status"} data-testid="notice">
      <span class={`rw-i rw-i-${error ? "alert" : "info"}`} aria-hidden="true" />
      <span>{notice.text}</span>
    </div>
  );
}
