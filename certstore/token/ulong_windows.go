package token

// windowsULong is 1 where C's unsigned long is 4 bytes whatever the pointer size.
const windowsULong = 1
