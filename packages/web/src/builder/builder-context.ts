// What every field of the open step can read: the samples of the trigger and of earlier steps (for
// autocomplete and previews), the transforms, the connection for live dropdowns, and vars.
import { createContext, useContext } from "react";
import type { Transform } from "../api/types.ts";

export interface BuilderContextValue {
  /** The trigger's sample output. */
  trigger: unknown;
  /** Earlier steps' sample outputs by step id (only steps before the one being edited). */
  steps: Record<string, unknown>;
  vars: Record<string, unknown>;
  transforms: Transform[];
  connectionId: string | undefined;
  locationId: string | undefined;
  /** The trigger's sample is the catalog's example (its ids exist nowhere), not a real record. */
  exampleTrigger: boolean;
}

export const BuilderContext = createContext<BuilderContextValue>({
  trigger: undefined,
  steps: {},
  vars: {},
  transforms: [],
  connectionId: undefined,
  locationId: undefined,
  exampleTrigger: true,
});

export function useBuilder(): BuilderContextValue {
  return useContext(BuilderContext);
}

/** The context the server evaluates previews and step tests in: steps given by id as their outputs. */
export function mappingContext(b: BuilderContextValue) {
  return { trigger: b.trigger ?? {}, steps: b.steps, vars: b.vars };
}
