/** Longest delay `setTimeout` honours (about 24.8 days); a longer one would fire at once. Plans and runs stay within it. */
export const MAX_TIMER_MS = 2_147_483_647;
