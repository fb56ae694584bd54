// Images from messages and code interpreter outputs. Inline data loads at once (raster data URLs only,
// never SVG); a remote image loads only when the user asks; a bare file id is named, with the kernel's
// note saying why its bytes are not in the state, when it gave one.

import { useState } from "preact/hooks";
import { isDataImage, isHttpUrl } from "../markdown";
import type { ImageRef } from "../protocol";

export function ImageView({ image }: { image: ImageRef }) {
  if (image.data_url && isDataImage(image.data_url)) {
    return <img class="rw-img" src={image.data_url} alt={image.file_id ? `image ${image.file_id}` : "image"} />;
  }
  if (image.url && isHttpUrl(image.url)) return <RemoteImage url={image.url} />;
  const note = image.note?.trim();
  return (
    <span class="rw-file-chip" title={note || "An image file; its content is not part of the card's state"}>
      <span class="rw-i rw-i-image" aria-hidden="true" />
      {image.file_id ?? image.url ?? "image"}
      {note ? <span class="rw-file-note"> · {note}</span> : null}
    </span>
  );
}

function RemoteImage({ url }: { url: string }) {
  const [load, setLoad] = useState(false);
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the text
  }
  if (load) return <img class="rw-img" src={url} alt={`image from ${host}`} referrerpolicy="no-referrer" />;
  return (
    <button type="button" class="rw-remote-img" title={url} onClick={() => setLoad(true)}>
      Load image from {host}
    </button>
  );
}
