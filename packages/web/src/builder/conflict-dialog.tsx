// Two tabs saved the same flow: show what changed in the file since this page loaded it, and let the
// person reload (losing their edits) or overwrite (knowingly).
import { Modal, Scroll } from "../components/ui.tsx";

export interface Conflict {
  currentVersion: string | null;
  currentSource?: string | null;
  /** From the file as it is now to what this save would write. */
  diff?: Array<{ op: "same" | "added" | "removed"; text: string }>;
}

export function ConflictDialog({
  conflict,
  onClose,
  onReload,
  onOverwrite,
}: {
  conflict: Conflict;
  onClose: () => void;
  onReload: () => void;
  onOverwrite: () => void;
}) {
  const lines =
    conflict.diff?.map((l) => ({
      kind: l.op === "added" ? "+" : l.op === "removed" ? "-" : " ",
      text: l.text,
    })) ?? (conflict.currentSource ?? "").split("\n").map((text) => ({ kind: " ", text }));
  return (
    <Modal
      title="This flow changed since you opened it"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Keep editing
          </button>
          <button type="button" onClick={onReload}>
            Reload theirs (drop my changes)
          </button>
          <button type="button" className="primary" onClick={onOverwrite} data-testid="overwrite">
            Overwrite with mine
          </button>
        </>
      }
    >
      <p data-testid="conflict">
        Someone (or another tab) saved it after you opened it. Your changes are not saved yet. Lines marked −
        are in the file now; lines marked + are what your save would write instead.
      </p>
      <Scroll label="Changes" className="diff">
        {lines.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a fixed text
          <span key={i} className={l.kind === "+" ? "add" : l.kind === "-" ? "del" : undefined}>
            {`${l.kind === "+" ? "+ " : l.kind === "-" ? "− " : "  "}${l.text}`}
          </span>
        ))}
      </Scroll>
    </Modal>
  );
}
