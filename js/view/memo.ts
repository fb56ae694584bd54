// `memo` without preact/compat: a component that re-renders only when a prop changed (by reference).

import { type Component, type FunctionComponent, h } from "preact";

export function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const key in a) if (key !== "children" && a[key] !== b[key]) return false;
  for (const key in b) if (key !== "children" && !(key in a)) return false;
  return true;
}

export function memo<P extends object>(inner: FunctionComponent<P>): FunctionComponent<P> {
  function shouldUpdate(this: Component<P>, next: P): boolean {
    return !shallowEqual(this.props as Record<string, unknown>, next as Record<string, unknown>);
  }
  function Memo(this: Component<P>, props: P) {
    this.shouldComponentUpdate = shouldUpdate;
    return h(inner, props);
  }
  Memo.displayName = `Memo(${inner.displayName ?? inner.name})`;
  return Memo;
}
