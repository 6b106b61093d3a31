// Messages shown in the banner at the top of the window.

export interface BannerMessage {
  id: number;
  kind: "error" | "info";
  text: string;
}

let nextId = 1;

export function bannerMessage(kind: BannerMessage["kind"], text: string): BannerMessage {
  return { id: nextId++, kind, text };
}
