// The sandbox's view of the official spec, also used by other packages' tests.
export {
  getOperation,
  type HttpMethod,
  loadSpec,
  type SecurityAlternative,
  type SpecOperation,
  type SpecParameter,
  type UserType,
} from "./load.ts";
export { findOperation, type OperationMatch } from "./router.ts";
export {
  type RequestParts,
  type ResponseValidationResult,
  type ValidateRequestOptions,
  type ValidationResult,
  validateRequest,
  validateResponse,
} from "./validate.ts";
