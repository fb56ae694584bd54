// A fake anywidget host: loads the bundle the way anywidget does (a Blob URL and import()), gives it a
// model with the AFM surface (get/set/save_changes/send/on/off), records what the card sends, and lets
// the test play the kernel (trait updates, custom messages, acks).

(() => {
  // Count live intervals, to check that the card's clock stops when it should.
  const liveIntervals = new Set();
  const realSetInterval = window.setInterval.bind(window);
  const realClearInterval = window.clearInterval.bind(window);
  window.setInterval = (fn, ms, ...args) => {
    const id = realSetInterval(fn, ms, ...args);
    liveIntervals.add(id);
    return id;
  };
  window.clearInterval = (id) => {
    liveIntervals.delete(id);
    realClearInterval(id);
  };

  class FakeModel {
    constructor(state) {
      this.state = structuredClone(state);
      this.listeners = new Map();
      this.sent = [];
      this.saved = [];
    }
    get(key) {
      return this.state[key];
    }
    set(key, value) {
      this.state[key] = value;
      this.emit(`change:${key}`);
    }
    save_changes() {
      this.saved.push(structuredClone(this.state));
    }
    send(content) {
      this.sent.push(structuredClone(content));
    }
    on(name, callback) {
      if (!this.listeners.has(name)) this.listeners.set(name, []);
      this.listeners.get(name).push(callback);
    }
    off(name, callback) {
      if (!name) {
        this.listeners.clear();
        return;
      }
      if (!callback) {
        this.listeners.delete(name);
        return;
      }
      const list = this.listeners.get(name) ?? [];
      const i = list.indexOf(callback);
      if (i >= 0) list.splice(i, 1);
    }
    emit(name, ...args) {
      for (const callback of [...(this.listeners.get(name) ?? [])]) callback(...args);
    }
    listenerCount() {
      let n = 0;
      for (const list of this.listeners.values()) n += list.length;
      return n;
    }
  }

  window.host = {
    FakeModel,
    module: null,
    widget: null,
    model: null,
    initCleanup: null,
    viewCleanup: null,
    intervals: () => liveIntervals.size,

    async load(source) {
      const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      this.module = await import(url);
      URL.revokeObjectURL(url);
    },

    async mount(state) {
      const def = this.module.default;
      this.widget = typeof def === "function" ? await def() : def;
      this.model = new FakeModel(state);
      this.initCleanup = (await this.widget.initialize?.({ model: this.model, experimental: {} })) ?? null;
      await this.render();
    },

    /** A view of the current model (what the front end does for each display of the widget). */
    async render() {
      const el = document.getElementById("root");
      this.viewCleanup = (await this.widget.render({ model: this.model, el, experimental: {} })) ?? null;
      await this.settle();
    },

    async unrender() {
      if (this.viewCleanup) await this.viewCleanup();
      this.viewCleanup = null;
    },

    async unmount() {
      await this.unrender();
      if (this.initCleanup) await this.initCleanup();
      this.initCleanup = null;
    },

    mountStatic(state) {
      this.viewCleanup = this.module.mountStatic(document.getElementById("root"), state);
      return this.settle();
    },

    /** The kernel changes traits, in one update (like `hold_sync`). */
    async traits(changes) {
      for (const [key, value] of Object.entries(changes)) this.model.state[key] = structuredClone(value);
      for (const key of Object.keys(changes)) this.model.emit(`change:${key}`);
      await this.settle();
    },

    /** The kernel sends a custom message. */
    async custom(message) {
      this.model.emit("msg:custom", structuredClone(message), []);
      await this.settle();
    },

    /** Answer the last request of this type with an ack. */
    async ack(type, fields) {
      const request = [...this.model.sent].reverse().find((m) => m.type === type);
      if (!request) throw new Error(`no ${type} request was sent`);
      await this.custom({ type: "ack", req_id: request.req_id, ok: true, ...fields });
      return request;
    },

    sent(type) {
      return this.model.sent.filter((m) => !type || m.type === type);
    },

    /** Benchmark: initialize + render a fresh model, up to style and layout, and up to the next paint. */
    async benchFirstRender(state) {
      await this.unmount();
      const el = document.getElementById("root");
      const model = new FakeModel(state);
      const t0 = performance.now();
      const def = this.module.default;
      this.widget = typeof def === "function" ? def() : def;
      this.model = model;
      this.initCleanup = this.widget.initialize({ model, experimental: {} }) ?? null;
      this.viewCleanup = this.widget.render({ model, el, experimental: {} }) ?? null;
      void el.offsetHeight; // style and layout
      const t1 = performance.now();
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const t2 = performance.now();
      // Long lists render their later rows while the browser is idle: wait for the last one.
      const want = (state.steps ?? []).length;
      while (el.querySelectorAll(".rw-step").length < want && performance.now() - t0 < 10000) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      return {
        layout: t1 - t0,
        paint: t2 - t0,
        complete: performance.now() - t0,
        rows: el.querySelectorAll(".rw-step").length,
      };
    },

    /** Benchmark: fold one patch and re-render, up to style and layout. */
    async benchPatch(message) {
      const el = document.getElementById("root");
      const copy = structuredClone(message);
      const t0 = performance.now();
      this.model.emit("msg:custom", copy, []);
      await Promise.resolve(); // the card renders in the microtask queued by the store
      void el.offsetHeight;
      return performance.now() - t0;
    },

    /** Let queued renders run (the card renders in a microtask after each store change). */
    async settle() {
      for (let i = 0; i < 3; i++) await Promise.resolve();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
})();
