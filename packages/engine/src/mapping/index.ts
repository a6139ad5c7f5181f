// The mapping language: templates that fill a step's inputs from the trigger's and earlier steps'
// outputs, their transforms, and the conditions of filters and `when:`. See docs/mapping.md.
export { evaluateCondition } from "./conditions/evaluate.ts";
export { type ConditionResult, parseCondition } from "./conditions/parse.ts";
export { ALL_OPS as CONDITION_OPERATORS } from "./conditions/parse-text.ts";
export { MappingError, renderValue } from "./render.ts";
export { parseTemplate, type TemplateResult } from "./template.ts";
export { TRANSFORMS } from "./transforms/index.ts";
export type { CompareOp, Condition, Expr, MappingScope, Operand, Template } from "./types.ts";
