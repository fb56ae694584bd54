// The whole card: header, notice, run errors, the tool-output form, and the steps.

import type { Actions } from "../actions";
import { statusKey } from "../status";
import type { CardState } from "../store";
import { runIsActive } from "../timeline";
import { RunProblems } from "./ErrorBlock";
import { Header } from "./Header";
import { useClock } from "./hooks";
import { Notice } from "./Notice";
import { Steps } from "./Steps";
import { ToolForm } from "./ToolForm";

interface Props {
  state: CardState;
  actions: Actions;
  uid: string;
}

export function Card({ state, actions, uid }: Props) {
  const { data, ui } = state;
  const run = data.run;
  const now = useClock(runIsActive(run));
  if (!run) {
    return (
      <section class="rw-card" data-status="none" aria-label="Assistant run">
        {data.notice ? <Notice notice={data.notice} /> : null}
        <div class="rw-empty" data-testid="no-run">
          {data.following ? "Starting the run…" : "No run yet."}
        </div>
      </section>
    );
  }
  const pending = run.status === "requires_action" ? (run.required_action ?? []) : [];
  return (
    <section class="rw-card" data-status={statusKey(run.status)} aria-label={`Assistant run ${run.id}`}>
      <Header run={run} data={data} ui={ui} actions={actions} now={now} />
      {data.notice ? <Notice notice={data.notice} /> : null}
      <RunProblems run={run} steps={data.steps} actions={actions} />
      {pending.length ? <ToolForm run={run} calls={pending} data={data} ui={ui} actions={actions} uid={uid} /> : null}
      <Steps run={run} data={data} ui={ui} actions={actions} now={now} uid={uid} />
    </section>
  );
}
