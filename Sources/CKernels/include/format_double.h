#ifndef FORMAT_DOUBLE_H
#define FORMAT_DOUBLE_H

/// C `snprintf(out, capacity, "%.*f", precision, x)` (`conversion` 'f'; 'e' and 'g' likewise):
/// the length the text needs, as snprintf returns it. Called from Swift without `withVaList`,
/// whose `CVarArg` boxing costs a protocol-conformance lookup per argument.
int nn_format_double(unsigned char *out, long capacity, double x, int precision, char conversion);

#endif
