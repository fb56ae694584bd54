// Markdown for untrusted model text: marked with raw HTML turned into text, then DOMPurify with a
// small allow-list, then our own pass over the DOM: links only http(s) (new tab, no opener, no
// referrer), remote images replaced by a "load image" button, nothing else from the outside world.
// Images written into the text as `data:` URLs get a button too: the model chose their pixels (a fake
// dialog, a QR code), so they show only on a click. Only the kernel's own fetched files (ImageRef
// `data_url`, see Images.tsx) show inline.

import DOMPurify from "dompurify";
import { Marked } from "marked";

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Raw HTML in the markdown is shown as the text it is, never parsed as HTML.
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

// `div` only for the root the tree is sanitized in (raw HTML in the markdown is escaped to text).
const ALLOWED_TAGS = [
  "a", "div", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
  "input", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
];
const ALLOWED_ATTR = ["href", "title", "alt", "src", "align", "start", "type", "checked", "disabled", "class"];

const purify = DOMPurify(window);
// Parsed once (sanitize() would parse a config object on every call).
purify.setConfig({
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  IN_PLACE: true,
});
purify.addHook("uponSanitizeAttribute", (node, data) => {
  // Only code blocks keep a class, and only marked's `language-*` one.
  if (data.attrName === "class") {
    data.keepAttr = node.nodeName === "CODE" && /^language-[\w+#.-]{1,40}$/.test(data.attrValue);
  }
  if (data.attrName === "type" || data.attrName === "checked" || data.attrName === "disabled") {
    data.keepAttr = node.nodeName === "INPUT";
  }
});

const HTTP_URL = /^https?:\/\//i;
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=\s]+$/i;

export function isHttpUrl(url: string): boolean {
  if (!HTTP_URL.test(url)) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}

export function isDataImage(url: string): boolean {
  return DATA_IMAGE.test(url);
}

// Parsing happens in a <template>: its document is inert (no scripts, no image loads), and DOMPurify
// cleans the tree there, in place. Nothing is serialized and parsed again after sanitizing.
const template = document.createElement("template");

function sanitizeHtml(html: string): DocumentFragment {
  template.innerHTML = `<div>${html}</div>`;
  const root = template.content.firstElementChild as HTMLElement;
  purify.sanitize(root);
  for (const link of Array.from(root.querySelectorAll("a"))) fixLink(link);
  for (const img of Array.from(root.querySelectorAll("img"))) fixImage(img);
  for (const box of Array.from(root.querySelectorAll("input"))) {
    if (box.type !== "checkbox") box.remove();
    else box.disabled = true;
  }
  const fragment = document.createDocumentFragment();
  fragment.append(...Array.from(root.childNodes));
  template.innerHTML = "";
  return fragment;
}

/**
 * Markdown shown in one element and updated as its text grows. The whole text is lexed each time
 * (so every block sees its context), but only the top-level blocks whose source changed are parsed,
 * sanitized and replaced: while a message streams, that is its last paragraph.
 */
export class MarkdownView {
  private blocks: { raw: string; nodes: ChildNode[] }[] = [];
  private links = "";

  constructor(private readonly el: HTMLElement) {}

  update(text: string): void {
    const tokens = marked.lexer(text);
    const links = JSON.stringify(tokens.links ?? {});
    // A link definition changes how earlier blocks render: redo everything.
    const keepable = links === this.links ? this.blocks.length : 0;
    this.links = links;
    let keep = 0;
    while (keep < keepable && keep < tokens.length && this.blocks[keep].raw === tokens[keep].raw) keep++;
    for (let i = keep; i < this.blocks.length; i++) for (const node of this.blocks[i].nodes) node.remove();
    const blocks = this.blocks.slice(0, keep);
    for (let i = keep; i < tokens.length; i++) {
      const list = Object.assign([tokens[i]], { links: tokens.links });
      const fragment = sanitizeHtml(marked.parser(list) as string);
      blocks.push({ raw: tokens[i].raw, nodes: Array.from(fragment.childNodes) });
      this.el.append(fragment);
    }
    this.blocks = blocks;
  }
}

function fixLink(link: HTMLAnchorElement): void {
  const href = link.getAttribute("href") ?? "";
  if (!isHttpUrl(href)) {
    // Not http(s): keep the words, drop the link.
    const span = document.createElement("span");
    span.className = "rw-dead-link";
    span.title = "link removed: only http(s) links are allowed";
    span.append(...Array.from(link.childNodes));
    link.replaceWith(span);
    return;
  }
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.referrerPolicy = "no-referrer";
  if (!link.title) link.title = href;
}

function fixImage(img: HTMLImageElement): void {
  const src = img.getAttribute("src") ?? "";
  const alt = img.getAttribute("alt") ?? "";
  img.replaceWith(isHttpUrl(src) || isDataImage(src) ? imageButton(src, alt) : imageNote(alt));
}

/** About how many bytes a base64 `data:` URL holds. */
function dataBytes(src: string): number {
  const payload = src.slice(src.indexOf(",") + 1).replace(/[\s=]/g, "");
  return Math.floor((payload.length * 3) / 4);
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${Math.round(n / 1024)} kB`;
}

/** A button standing in for a remote or model-written image; the image shows only when it is clicked. */
function imageButton(src: string, alt: string): HTMLElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "rw-remote-img";
  button.dataset.src = src;
  if (alt) button.dataset.alt = alt;
  const what = `image${alt ? ` “${alt}”` : ""}`;
  if (isDataImage(src)) {
    button.textContent = `Show ${what} written into the text (${formatBytes(dataBytes(src))})`;
    button.title = "An image the model wrote as a data: URL";
    button.dataset.inline = "1";
    return button;
  }
  let host = src;
  try {
    host = new URL(src).host;
  } catch {
    // keep the raw text
  }
  button.textContent = `Load ${what} from ${host}`;
  button.title = src;
  return button;
}

function imageNote(alt: string): HTMLElement {
  const span = document.createElement("span");
  span.className = "rw-img-note";
  span.textContent = `[image${alt ? `: ${alt}` : ""}]`;
  return span;
}

/** Swap a clicked "load image" (or "show image") button for the image it stands for. */
export function loadRemoteImage(button: HTMLElement): void {
  const src = button.dataset.src ?? "";
  if (!isHttpUrl(src) && !isDataImage(src)) return;
  const img = document.createElement("img");
  img.className = "rw-loaded-img";
  img.referrerPolicy = "no-referrer";
  img.alt = button.dataset.alt ?? "";
  img.src = src;
  button.replaceWith(img);
}
