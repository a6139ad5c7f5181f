// An entry's tags as small badges: the words say it, the tooltip (and screen readers) say more.
import type { CatalogSummary } from "../api/types.ts";
import { entryTags } from "./entry-kinds.ts";

export function EntryTags({ entry, as }: { entry: CatalogSummary; as?: "trigger" | undefined }) {
  return (
    <>
      {entryTags(entry, as).map((t) => (
        <span key={t.text} className={`badge tag${t.tone ? ` ${t.tone}` : ""}`} title={t.tip}>
          {t.text}
          <span className="sr-only">: {t.tip}</span>
        </span>
      ))}
    </>
  );
}
