// Placeholder until the CLI lands; replaced by the real commands.
int main() { return 0; }
