#include <stdio.h>
#include "format_double.h"

int nn_format_double(unsigned char *out, long capacity, double x, int precision, char conversion) {
    switch (conversion) {
    case 'e': return snprintf((char *)out, (size_t)capacity, "%.*e", precision, x);
    case 'g': return snprintf((char *)out, (size_t)capacity, "%.*g", precision, x);
    default: return snprintf((char *)out, (size_t)capacity, "%.*f", precision, x);
    }
}
