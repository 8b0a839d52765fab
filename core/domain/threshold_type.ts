/**
 * Which bound of a user's band a threshold is: `HIGH` fires when the price rises above it, `LOW`
 * when the price falls below it.
 */
export type ThresholdType = "HIGH" | "LOW";
