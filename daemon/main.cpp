// Placeholder until the server lands; replaced by the real wiring.
int main() { return 0; }
