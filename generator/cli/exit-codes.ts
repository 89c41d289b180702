/** Everything went as asked (warnings allowed). */
export const EXIT_OK = 0;
/** The IDL has errors. */
export const EXIT_IDL_ERRORS = 1;
/** Bad command line, or a file named on it could not be read. */
export const EXIT_USAGE = 2;
/** A bug in rpcgen itself (EX_SOFTWARE from sysexits.h). */
export const EXIT_INTERNAL_ERROR = 70;
