// Images from messages and code interpreter outputs. Inline data loads at once; a remote image loads
// only when the user asks; a bare file id is named (its bytes are not in the state).

import { useState } from "preact/hooks";
import { isDataImage, isHttpUrl } from "../markdown";
import type { ImageRef } from "../protocol";

export function ImageView({ image }: { image: ImageRef }) {
  if (image.data_url && isDataImage(image.data_url)) {
    return <img class="rw-img" src={image.data_url} alt={image.file_id ? `image ${image.file_id}` : "image"} />;
  }
  if (image.url && isHttpUrl(image.url)) return <RemoteImage url={image.url} />;
  return (
    <span class="rw-file-chip" title="An image file; its content is not part of the card's state">
      <span class="rw-i rw-i-image" aria-hidden="true" />
      {image.file_id ?? image.url ?? "image"}
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
