/// The LuaKit module.
enum LuaKitModule {}
