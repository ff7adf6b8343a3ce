SELECT - -x, -(2), -9223372036854775808, NOT NOT a = b, (a = b) = c, a || b || c FROM sales -- trailing
/* block */ ;