print("svclab")
