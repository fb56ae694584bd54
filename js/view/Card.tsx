// The whole card: header, notice, run errors, the tool-output form, and the steps.

import type { Actions } from "../actions";
import { runEnd, stepEnd } from "../protocol";
import { statusKey } from "../status";
import type { CardState } from "../store";
import { lastKnownTime, runIsActive } from "../timeline";
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
  // A saved card is a still picture: its clock stops at the last moment the state knows of.
  const clock = useClock(runIsActive(run) && !data.readonly);
  const now = data.readonly ? lastKnownTime(run, data.steps) : clock;
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
  const active = runIsActive(run);
  let lastStepEnd: number | null = null;
  if (!active && runEnd(run) === null) {
    for (const step of data.steps) lastStepEnd = Math.max(lastStepEnd ?? 0, stepEnd(step) ?? 0) || null;
  }
  return (
    <section class="rw-card" data-status={statusKey(run.status)} aria-label={`Assistant run ${run.id}`}>
      <Header
        run={run}
        following={data.following}
        readonly={data.readonly}
        cancel={ui.cancel}
        lastStepEnd={lastStepEnd}
        actions={actions}
        now={active || data.readonly ? now : 0}
      />
      {data.notice ? <Notice notice={data.notice} /> : null}
      <RunProblems run={run} steps={data.steps} actions={actions} />
      {pending.length ? <ToolForm run={run} calls={pending} data={data} ui={ui} actions={actions} uid={uid} /> : null}
      <Steps run={run} data={data} ui={ui} actions={actions} now={now} uid={uid} />
    </section>
  );
}
